// What the mirror holds: models, their source sets and sources, with feature counts.
import { asc, count } from 'drizzle-orm';
import type { Db } from '../client.js';
import { model, neuron, source, sourceSet } from '../schema/index.js';
import { sourceLayerOrder } from './sources.js';

export async function listModels(db: Db) {
  return db.select().from(model).orderBy(asc(model.id));
}

export async function listSourceSets(db: Db) {
  return db.select().from(sourceSet).orderBy(asc(sourceSet.modelId), asc(sourceSet.name));
}

export async function listSources(db: Db) {
  return db
    .select()
    .from(source)
    .orderBy(asc(source.modelId), ...sourceLayerOrder);
}

/** Features per source, keyed `modelId\u0000sourceId`. Scans the Neuron primary key index. */
export async function countFeaturesBySource(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .select({ modelId: neuron.modelId, layer: neuron.layer, features: count() })
    .from(neuron)
    .groupBy(neuron.modelId, neuron.layer);
  return new Map(rows.map((r) => [`${r.modelId}\u0000${r.layer}`, Number(r.features)]));
}
