// POST /api/model/head-attention/get: one attention head's pattern on custom text, from the
// inference server (/v1/activation/attention), shaped as a stored head sequence so the same viewer
// renders it (upstream's route). Heads belong to no source: any host of the model serves it.
import type { Db } from '../../db/client.js';
import { InvalidInput } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import { inferenceModelName, readableModel } from '../access/inference-access.js';
import type { Viewer } from '../access/viewer.js';

interface Attention {
  tokens: string[];
  attentionIndices: number[];
  attentionValues: number[];
  maxActivation: number;
  seqLen: number;
}

export async function headAttention(
  db: Db,
  inference: InferenceClient,
  params: { modelId: string; layer: number; headIndex: number; text: string },
  viewer: Viewer | null,
) {
  if (params.text.trim().length === 0) throw new InvalidInput('Please enter some text.');
  const model = await readableModel(db, params.modelId, viewer);
  const result = await inference.post<Attention>({ modelId: model.id, sourceSet: undefined }, '/v1/activation/attention', {
    model: inferenceModelName(model),
    prompt: params.text,
    layer: params.layer,
    head: params.headIndex,
  });
  return {
    id: `custom-${params.layer}-${params.headIndex}`,
    layer: params.layer,
    headIndex: params.headIndex,
    // Custom text has no dataset interval; upstream uses 0 so its interval filter leaves it out.
    interval: 0,
    tokens: result.tokens,
    attentionIndices: result.attentionIndices,
    attentionValues: result.attentionValues,
    maxActivation: result.maxActivation,
  };
}
