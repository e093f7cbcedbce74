// An SAE feature's decoder vector, which the mirror does not store: POST /api/vector/get falls back
// to the inference server's /v1/util/sae-vector for features that are not uploaded vectors, as
// upstream's getVectorFromInstance does.
import { inferenceModelName, readableSource } from '../access/inference-access.js';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import type { InferenceClient } from '../../upstream/inference/client.js';

/** Uploaded vectors live in `<layer>-neuronpedia-resid-pre|post`: a missing one there has nothing to ask a model for. */
export const isVectorSourceSet = (setName: string | null | undefined) => setName?.startsWith('neuronpedia-resid-') ?? false;

export interface SaeVector {
  hookName: string;
  vector: number[];
}

/** The vector of feature `index` of an SAE source, or undefined for a source of uploaded vectors. 404 when the source is hidden or missing. */
export async function fetchSaeVector(
  db: Db,
  inference: InferenceClient,
  modelId: string,
  sourceId: string,
  index: string,
  viewer: Viewer | null,
): Promise<SaeVector | undefined> {
  const { model, source } = await readableSource(db, modelId, sourceId, viewer);
  if (isVectorSourceSet(source.setName)) return undefined;
  return inference.post<SaeVector>({ modelId: model.id, sourceSet: source.setName ?? undefined }, '/v1/util/sae-vector', {
    model: inferenceModelName(model),
    source: source.id,
    index: Number.parseInt(index, 10),
  });
}
