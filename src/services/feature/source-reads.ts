// POST /api/features-offset and /api/umap: reads over whole sources, each source checked first (a
// source the caller may not read answers the same 404 as a missing one).
import type { Db } from '../../db/client.js';
import { listUmapExplanations } from '../../db/queries/explanations.js';
import { pageLiveFeatureIndices } from '../../db/queries/neurons.js';
import { NotFound } from '../../errors.js';
import { readableSources, sourceKey } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { readFeatures } from './read-features.js';

/** Upstream's page size (NEURONS_TO_LOAD_PER_REQUEST). */
export const FEATURES_PER_PAGE = 25;

async function assertReadableSources(db: Db, modelId: string, layers: string[], viewer: Viewer | null) {
  const readable = await readableSources(
    db,
    layers.map((layer) => ({ modelId, layer })),
    viewer,
  );
  if (!layers.every((layer) => readable.has(sourceKey(modelId, layer)))) throw new NotFound();
}

/** 25 features of a source from `offset` in natural index order, each with activations and explanations. */
export async function featuresFromOffset(db: Db, params: { modelId: string; layer: string; offset: number }, viewer: Viewer | null) {
  await assertReadableSources(db, params.modelId, [params.layer], viewer);
  const indices = await pageLiveFeatureIndices(db, params.modelId, params.layer, params.offset, FEATURES_PER_PAGE);
  return readFeatures(
    db,
    indices.map((index) => ({ modelId: params.modelId, layer: params.layer, index })),
    viewer,
  );
}

/** `{[layer]: explanations with UMAP coordinates}` for each requested source. */
export async function umapExplanations(db: Db, modelId: string, layers: string[], viewer: Viewer | null) {
  await assertReadableSources(db, modelId, layers, viewer);
  const lists = await Promise.all(layers.map((layer) => listUmapExplanations(db, modelId, layer)));
  return Object.fromEntries(layers.map((layer, i) => [layer, lists[i]!]));
}
