// Reads of features (Neuron rows) with what the feature page shows: the model, source and source
// set, the top activations, and the explanations with their scores.
import { and, asc, desc, eq, getTableColumns, inArray, lte, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activation, explanation, explanationScore, model, neuron, source, sourceSet, user } from '../schema/index.js';

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

/** A feature's activations, strongest first (the order the real server returns). */
export async function listActivations(db: Db, key: FeatureKey, limit?: number): Promise<ActivationRow[]> {
  const query = db
    .select()
    .from(activation)
    .where(and(eq(activation.modelId, key.modelId), eq(activation.layer, key.layer), eq(activation.index, key.index)))
    .orderBy(desc(activation.maxValue), asc(activation.id));
  return limit === undefined ? query : query.limit(limit);
}

export interface ExplanationWithScores {
  id: string;
  description: string;
  explanationModelName: string | null;
  typeName: string | null;
  triggeredByUser: { id: string; name: string } | null;
  scores: ExplanationScoreRow[];
}

/** A feature's explanations, best scored first as upstream (scoreV2 desc, scoreV1 desc), with their scores. */
export async function listExplanationsWithScores(db: Db, key: FeatureKey): Promise<ExplanationWithScores[]> {
  const explanations = await db
    .select({
      id: explanation.id,
      description: explanation.description,
      explanationModelName: explanation.explanationModelName,
      typeName: explanation.typeName,
      triggeredByUserId: explanation.triggeredByUserId,
      triggeredByUserName: user.name,
    })
    .from(explanation)
    .leftJoin(user, eq(user.id, explanation.triggeredByUserId))
    .where(and(eq(explanation.modelId, key.modelId), eq(explanation.layer, key.layer), eq(explanation.index, key.index)))
    .orderBy(desc(explanation.scoreV2), desc(explanation.scoreV1), asc(explanation.createdAt), asc(explanation.id));
  if (explanations.length === 0) return [];
  const scores = await db
    .select()
    .from(explanationScore)
    .where(
      inArray(
        explanationScore.explanationId,
        explanations.map((e) => e.id),
      ),
    )
    .orderBy(asc(explanationScore.createdAt), asc(explanationScore.id));
  return explanations.map(({ triggeredByUserId, triggeredByUserName, ...e }) => ({
    ...e,
    triggeredByUser: triggeredByUserId && triggeredByUserName ? { id: triggeredByUserId, name: triggeredByUserName } : null,
    scores: scores.filter((s) => s.explanationId === e.id),
  }));
}

/**
 * `(modelId, layer, index) IN (the keys)`, with the keys as one JSON parameter: a list of 3 × n
 * parameters cost more to build and parse than the query itself for a page of 50 features.
 */
export function featureKeyIn(table: { modelId: AnyColumn; layer: AnyColumn; index: AnyColumn }, keys: FeatureKey[]): SQL {
  const json = JSON.stringify(keys.map((k) => ({ m: k.modelId, l: k.layer, i: k.index })));
  return sql`(${table.modelId}, ${table.layer}, ${table.index}) IN (SELECT k.m, k.l, k.i FROM jsonb_to_recordset(${json}::jsonb) AS k(m text, l text, i text))`;
}

/** Many features in one query each for neurons, models/sources (for access) and explanations. */
export async function findNeurons(db: Db, keys: FeatureKey[]): Promise<NeuronRow[]> {
  if (keys.length === 0) return [];
  return db.select().from(neuron).where(featureKeyIn(neuron, keys));
}

/** Each feature's activations, strongest first, at most `limitPerFeature` each (all when undefined). */
export async function listActivationsForFeatures(db: Db, keys: FeatureKey[], limitPerFeature?: number): Promise<ActivationRow[]> {
  if (keys.length === 0) return [];
  const rank = sql<number>`row_number() over (partition by ${activation.modelId}, ${activation.layer}, ${activation.index} order by ${activation.maxValue} desc, ${activation.id})`;
  const ranked = db
    .select({ ...getTableColumns(activation), rank: rank.as('rank') })
    .from(activation)
    .where(featureKeyIn(activation, keys))
    .as('ranked');
  const rows = await db
    .select()
    .from(ranked)
    .where(limitPerFeature === undefined ? undefined : lte(ranked.rank, limitPerFeature))
    .orderBy(asc(ranked.rank));
  return rows.map(({ rank: _rank, ...row }) => row as ActivationRow);
}

/** Short explanations (description, model, type) of many features, best scored first. */
export async function listExplanationSummaries(db: Db, keys: FeatureKey[]) {
  if (keys.length === 0) return [];
  return db
    .select({
      modelId: explanation.modelId,
      layer: explanation.layer,
      index: explanation.index,
      description: explanation.description,
      explanationModelName: explanation.explanationModelName,
      typeName: explanation.typeName,
    })
    .from(explanation)
    .where(featureKeyIn(explanation, keys))
    .orderBy(desc(explanation.scoreV2), desc(explanation.scoreV1), asc(explanation.createdAt), asc(explanation.id));
}

/** Each feature's newest explanation not written by a person (what search-topk-by-token shows). */
export async function listLatestMachineExplanations(db: Db, keys: FeatureKey[]) {
  if (keys.length === 0) return [];
  const { embedding: _embedding, ...columns } = getTableColumns(explanation);
  return db
    .selectDistinctOn([explanation.modelId, explanation.layer, explanation.index], columns)
    .from(explanation)
    .where(and(featureKeyIn(explanation, keys), sql`${explanation.typeName} IS DISTINCT FROM 'human'`))
    .orderBy(explanation.modelId, explanation.layer, explanation.index, desc(explanation.createdAt), desc(explanation.id));
}

/** Explanation rows (without embeddings) of many features, best scored first. */
export async function listExplanationRows(db: Db, keys: FeatureKey[]) {
  if (keys.length === 0) return [];
  const { embedding: _embedding, ...columns } = getTableColumns(explanation);
  return db
    .select(columns)
    .from(explanation)
    .where(featureKeyIn(explanation, keys))
    .orderBy(desc(explanation.scoreV2), desc(explanation.scoreV1), asc(explanation.createdAt), asc(explanation.id));
}
