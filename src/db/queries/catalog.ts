// What the mirror holds: models, their source sets and sources, with feature counts.
import { and, asc, count, eq, ne } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  explanationModelType,
  explanationScoreModel,
  explanationScoreType,
  explanationType,
  model,
  neuron,
  source,
  sourceRelease,
  sourceSet,
} from '../schema/index.js';
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

export async function listSourceReleases(db: Db) {
  return db.select().from(sourceRelease).orderBy(asc(sourceRelease.name));
}

/** The lookup tables /api/global answers, filtered and ordered as upstream (lib/db/explanation-type.ts). */
export async function listExplanationLookups(db: Db) {
  const [explanationTypes, explanationModels, explanationScoreTypes, explanationScoreModelTypes] = await Promise.all([
    db
      .select()
      .from(explanationType)
      .where(and(ne(explanationType.name, 'human'), eq(explanationType.featured, true)))
      .orderBy(asc(explanationType.displayName)),
    db.select().from(explanationModelType).where(eq(explanationModelType.featured, true)).orderBy(asc(explanationModelType.displayName)),
    db.select().from(explanationScoreType).orderBy(asc(explanationScoreType.displayName)),
    db.select().from(explanationScoreModel).orderBy(asc(explanationScoreModel.displayName)),
  ]);
  return { explanationTypes, explanationModels, explanationScoreTypes, explanationScoreModelTypes };
}
