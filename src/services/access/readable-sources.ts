// Which of the named sources the viewer may read: the model, the source set and the source must
// all be readable. Used by batch reads, which silently leave out what the viewer cannot see.
import type { Db } from '../../db/client.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { findNeurons } from '../../db/queries/neurons.js';
import type { FeatureCache } from '../feature/feature-cache.js';
import { cachedSources } from './cached-rows.js';
import { canReadAll, featureGuard, type Viewer } from './viewer.js';

export const sourceKey = (modelId: string, layer: string) => `${modelId}\u0000${layer}`;

export async function readableSources(
  db: Db,
  pairs: Array<{ modelId: string; layer: string }>,
  viewer: Viewer | null,
  /** Read through the feature cache (steering, on every request); without it, always the database. */
  cache?: FeatureCache,
): Promise<Set<string>> {
  const unique = [...new Map(pairs.map((p) => [sourceKey(p.modelId, p.layer), p])).values()];
  const rows = await cachedSources(db, cache, unique);
  return new Set(
    rows
      .filter((r) => canReadAll([r.model, r.sourceSet ?? undefined, r.source], viewer))
      .map((r) => sourceKey(r.source.modelId, r.source.id)),
  );
}

/** Whether one feature exists and the viewer may read it (its source's guards and its own). */
export async function canReadFeature(db: Db, key: FeatureKey, viewer: Viewer | null): Promise<boolean> {
  const [readable, [neuron]] = await Promise.all([readableSources(db, [key], viewer), findNeurons(db, [key])]);
  return readable.has(sourceKey(key.modelId, key.layer)) && neuron !== undefined && canReadAll([featureGuard(neuron)], viewer);
}
