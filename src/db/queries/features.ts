// A feature's identity and context: its key, the row types, the model/source/set/neuron a feature
// URL names (one round trip), and the key filter the other query files share.
import { and, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activation, explanationScore, model, neuron, source, sourceSet, user } from '../schema/index.js';

export interface FeatureKey {
  modelId: string;
  /** Source id, e.g. `6-res-jb`. */
  layer: string;
  index: string;
}

export type NeuronRow = typeof neuron.$inferSelect;
export type ModelRow = typeof model.$inferSelect;
export type SourceRow = typeof source.$inferSelect;
export type SourceSetRow = typeof sourceSet.$inferSelect;
export type ActivationRow = typeof activation.$inferSelect;
export type ExplanationScoreRow = typeof explanationScore.$inferSelect;

/** The model and source a feature URL names, each undefined when absent; the neuron when it exists. */
export interface FeatureContext {
  model: ModelRow;
  source: SourceRow | undefined;
  sourceSet: SourceSetRow | undefined;
  neuron: NeuronRow | undefined;
  creatorName: string | undefined;
}

/** One round trip: the model, the source and its set, and the neuron with its creator's name. */
export async function findFeatureContext(db: Db, key: FeatureKey): Promise<FeatureContext | undefined> {
  const rows = await db
    .select({ model, source, sourceSet, neuron, creatorName: user.name })
    .from(model)
    .leftJoin(source, and(eq(source.modelId, model.id), eq(source.id, key.layer)))
    .leftJoin(sourceSet, and(eq(sourceSet.modelId, model.id), eq(sourceSet.name, source.setName)))
    .leftJoin(neuron, and(eq(neuron.modelId, model.id), eq(neuron.layer, key.layer), eq(neuron.index, key.index)))
    .leftJoin(user, eq(user.id, neuron.creatorId))
    .where(eq(model.id, key.modelId))
    .limit(1);
  const row = rows[0];
  if (!row) return undefined;
  return {
    model: row.model,
    source: row.source ?? undefined,
    sourceSet: row.sourceSet ?? undefined,
    neuron: row.neuron ?? undefined,
    creatorName: row.creatorName ?? undefined,
  };
}

/**
 * `(modelId, layer, index) IN (the keys)`, with the keys as one JSON parameter: a list of 3 × n
 * parameters cost more to build and parse than the query itself for a page of 50 features.
 */
export function featureKeyIn(table: { modelId: AnyColumn; layer: AnyColumn; index: AnyColumn }, keys: FeatureKey[]): SQL {
  const json = JSON.stringify(keys.map((k) => ({ m: k.modelId, l: k.layer, i: k.index })));
  return sql`(${table.modelId}, ${table.layer}, ${table.index}) IN (SELECT k.m, k.l, k.i FROM jsonb_to_recordset(${json}::jsonb) AS k(m text, l text, i text))`;
}
