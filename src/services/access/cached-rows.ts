// The rows access checks read on every steering request (the model, each source with its model and
// set, the steered neurons), through the feature cache when one is given: steering then costs no
// query before the saved-output lookup. The cache is cleared by every write that changes such rows,
// in every process (plugins/app/cross-process.ts); rows absent from the database are not kept.
import type { Db } from '../../db/client.js';
import type { FeatureKey, ModelRow, NeuronRow } from '../../db/queries/features.js';
import { findModel } from '../../db/queries/models.js';
import { findNeurons } from '../../db/queries/neurons.js';
import { findSourcesWithParents } from '../../db/queries/sources.js';
import type { FeatureCache, SourceWithParents } from '../feature/feature-cache.js';

export async function cachedModel(db: Db, cache: FeatureCache | undefined, modelId: string): Promise<ModelRow | undefined> {
  const cached = cache?.getModel(modelId);
  if (cached) return cached;
  const row = await findModel(db, modelId);
  if (row) cache?.setModel(row);
  return row;
}

/** The sources that exist among these, each with its model and set. */
export async function cachedSources(
  db: Db,
  cache: FeatureCache | undefined,
  pairs: Array<{ modelId: string; layer: string }>,
): Promise<SourceWithParents[]> {
  const hits = pairs.map((p) => cache?.getSource(p.modelId, p.layer));
  const missing = pairs.filter((_, i) => !hits[i]);
  const found = await findSourcesWithParents(db, missing);
  for (const row of found) cache?.setSource(row);
  return [...hits.filter((h): h is SourceWithParents => h !== undefined), ...found];
}

/** The neurons that exist among these keys. */
export async function cachedNeurons(db: Db, cache: FeatureCache | undefined, keys: FeatureKey[]): Promise<NeuronRow[]> {
  const hits = keys.map((k) => cache?.getNeuron(k.modelId, k.layer, k.index));
  const missing = keys.filter((_, i) => !hits[i]);
  const found = await findNeurons(db, missing);
  for (const row of found) cache?.setNeuron(row);
  return [...hits.filter((h): h is NeuronRow => h !== undefined), ...found];
}
