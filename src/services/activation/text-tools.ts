// POST /api/tokenize and /api/similarity-matrix-pred: thin calls to the inference server, after the
// access check (a hidden model or source is 404 and nothing is sent). Without a configured host
// the inference client answers 503 naming INFERENCE_HOSTS.
import type { Db } from '../../db/client.js';
import { InvalidInput } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import { inferenceModelName, readableModel, readableSource } from '../access/inference-access.js';
import type { Viewer } from '../access/viewer.js';

/** Upstream's limit (similarity-matrix-pred maxTextLength). */
export const MAX_SIMILARITY_TEXT_CHARS = 700;

export interface Tokenized {
  tokens: number[];
  tokenStrings: string[];
  prependBos: boolean;
}

export async function tokenizeText(
  db: Db,
  inference: InferenceClient,
  params: { modelId: string; prompt: string; prependBos: boolean },
  viewer: Viewer | null,
): Promise<Tokenized> {
  const model = await readableModel(db, params.modelId, viewer);
  return inference.post<Tokenized>({ modelId: model.id, sourceSet: undefined }, '/v1/tokenize', {
    model: inferenceModelName(model),
    text: params.prompt,
    prependBos: params.prependBos,
  });
}

export interface SimilarityMatrix {
  similarity_matrix: number[][];
  tokens: string[];
}

/** Token-by-token similarity of a temporal SAE's predictions (the inference server refuses other SAEs with 400). */
export async function similarityMatrixPred(
  db: Db,
  inference: InferenceClient,
  params: { modelId: string; sourceId: string; text: string },
  viewer: Viewer | null,
): Promise<SimilarityMatrix> {
  if (params.text.length > MAX_SIMILARITY_TEXT_CHARS)
    throw new InvalidInput(
      `Text is too long. The maximum allowed is ${MAX_SIMILARITY_TEXT_CHARS} characters. Your text is ${params.text.length} characters long.`,
    );
  const { model, source } = await readableSource(db, params.modelId, params.sourceId, viewer);
  // This endpoint's wire names differ from the others' (modelId/sourceId, not model/source); `index` is unused upstream.
  return inference.post<SimilarityMatrix>(
    { modelId: model.id, sourceSet: source.setName ?? undefined },
    '/v1/util/similarity-matrix-pred',
    {
      modelId: inferenceModelName(model),
      sourceId: source.id,
      index: 0,
      text: params.text,
    },
  );
}
