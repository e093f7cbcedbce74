// POST /api/cossim: the features of a target source whose decoder directions are closest to a
// feature's, computed by the inference server (/v1/util/sae-topk-by-decoder-cossim), as upstream's
// getCosSimForFeature: an uploaded vector is sent as its stored values (any host of the target
// model will do, no SAE needed); an SAE feature is named, and the target source set's host loads it.
import type { Db } from '../../db/client.js';
import { findNeuron } from '../../db/queries/neurons.js';
import { NotFound } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import { inferenceModelName, readableSource } from '../access/inference-access.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';

/** Upstream asks for 10 neighbours. */
const NUM_RESULTS = 10;

export interface CossimParams {
  modelId: string;
  source: string;
  index: string;
  targetModelId: string;
  targetSourceId: string;
}

export interface CossimResult {
  feature?: { model: string; source: string; index: number } | null;
  topkDecoderCossimFeatures?: Array<{
    feature?: { model: string; source: string; index: number } | null;
    cosineSimilarity?: number | null;
  }> | null;
}

export async function topkByDecoderCossim(
  db: Db,
  inference: InferenceClient,
  params: CossimParams,
  viewer: Viewer | null,
): Promise<CossimResult> {
  // The answer names features of the target source: it must be readable, like the query feature.
  const target = await readableSource(db, params.targetModelId, params.targetSourceId, viewer);
  const stored = await findNeuron(db, params.modelId, params.source, params.index);
  const common = { model: inferenceModelName(target.model), source: target.source.id, numResults: NUM_RESULTS };
  // The query feature must be readable too: a stored one by its own guards, else by its source.
  if (stored) {
    if (!(await canReadFeature(db, { modelId: params.modelId, layer: params.source, index: params.index }, viewer))) throw new NotFound();
  } else {
    await readableSource(db, params.modelId, params.source, viewer);
  }
  if (stored?.hasVector && stored.vector.length > 0) {
    return inference.post<CossimResult>({ modelId: target.model.id, sourceSet: undefined }, '/v1/util/sae-topk-by-decoder-cossim', {
      vector: stored.vector,
      ...common,
    });
  }
  return inference.post<CossimResult>(
    { modelId: target.model.id, sourceSet: target.source.setName ?? undefined },
    '/v1/util/sae-topk-by-decoder-cossim',
    // As upstream: the query feature by our ids (the inference server looks the SAE up by them).
    { feature: { model: params.modelId, source: params.source, index: Number.parseInt(params.index, 10) }, ...common },
  );
}
