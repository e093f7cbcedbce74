// Neuron rows (features and uploaded vectors): reads by key, pages of a source, writes of uploads,
// counts per source, a user's vectors.
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activation, explanation, neuron } from '../schema/index.js';
import { featureKeyIn, type FeatureKey, type NeuronRow } from './features.js';

/** Many features in one query each for neurons, models/sources (for access) and explanations. */
export async function findNeurons(db: Db, keys: FeatureKey[]): Promise<NeuronRow[]> {
  if (keys.length === 0) return [];
  return db.select().from(neuron).where(featureKeyIn(neuron, keys));
}

export async function insertNeuron(db: Db, values: typeof neuron.$inferInsert) {
  const [row] = await db.insert(neuron).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findNeuron(db: Db, modelId: string, layer: string, index: string) {
  const [row] = await db
    .select()
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), eq(neuron.index, index)))
    .limit(1);
  return row;
}

export async function deleteNeuron(db: Db, modelId: string, layer: string, index: string) {
  await db.delete(neuron).where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), eq(neuron.index, index)));
}

export async function listVectorsOf(db: Db, userId: string) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      vectorLabel: neuron.vectorLabel,
      createdAt: neuron.createdAt,
      creatorId: neuron.creatorId,
      vectorDefaultSteerStrength: neuron.vectorDefaultSteerStrength,
      hookName: neuron.hookName,
      vector: neuron.vector,
    })
    .from(neuron)
    .where(and(eq(neuron.creatorId, userId), eq(neuron.hasVector, true)))
    .orderBy(neuron.createdAt, neuron.modelId, neuron.layer, neuron.index);
}

/** Features per source, keyed `modelId\u0000sourceId`. Scans the Neuron primary key index. */
export async function countFeaturesBySource(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .select({ modelId: neuron.modelId, layer: neuron.layer, features: count() })
    .from(neuron)
    .groupBy(neuron.modelId, neuron.layer);
  return new Map(rows.map((r) => [`${r.modelId}\u0000${r.layer}`, Number(r.features)]));
}

/** Rows of uploaded features, each with its explanations and activations. */
export interface UploadedFeatureRows {
  neurons: Array<typeof neuron.$inferInsert>;
  explanations: Array<typeof explanation.$inferInsert>;
  activations: Array<typeof activation.$inferInsert>;
}

/** Inserts uploaded features; as upstream, features that exist already are left as they are (their
 * explanations and activations too). Returns how many features were created. */
export async function insertUploadedFeatures(tx: Db, rows: UploadedFeatureRows): Promise<number> {
  const created = await tx.insert(neuron).values(rows.neurons).onConflictDoNothing().returning({ index: neuron.index });
  const createdIndexes = new Set(created.map((c) => c.index));
  const newExplanations = rows.explanations.filter((e) => createdIndexes.has(e.index));
  const newActivations = rows.activations.filter((a) => createdIndexes.has(a.index));
  if (newExplanations.length > 0) await tx.insert(explanation).values(newExplanations);
  // Postgres caps a statement at 65,535 parameters: insert activations in chunks.
  for (let i = 0; i < newActivations.length; i += 1000) await tx.insert(activation).values(newActivations.slice(i, i + 1000));
  return created.length;
}

/**
 * Indices of a source's features with activations (maxActApprox > 0), in natural order (2 before
 * 10), one page: upstream's getNeuronsOffset query.
 */
export async function pageLiveFeatureIndices(db: Db, modelId: string, layer: string, offset: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ index: neuron.index })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), gt(neuron.maxActApprox, 0)))
    .orderBy(sql`substring(${neuron.index} from '^[0-9]{1,18}')::numeric NULLS LAST`, asc(neuron.index))
    .limit(limit)
    .offset(offset);
  return rows.map((r) => r.index);
}

/** A user's steering vectors on one model, newest first. */
export async function listVectorsOfModelAndUser(db: Db, modelId: string, userId: string) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      vectorLabel: neuron.vectorLabel,
      vectorDefaultSteerStrength: neuron.vectorDefaultSteerStrength,
    })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.creatorId, userId), eq(neuron.hasVector, true)))
    .orderBy(asc(neuron.createdAt), asc(neuron.layer), asc(neuron.index));
}

/** Numeric order for numeric indexes (upstream stores them as text), text order for the rest. */
const indexOrder = [sql`CASE WHEN ${neuron.index} ~ '^[0-9]{1,18}$' THEN ${neuron.index}::bigint END NULLS LAST`, asc(neuron.index)];

export async function listSourceFeatures(db: Db, modelId: string, layer: string, offset: number, limit: number) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      maxActApprox: neuron.maxActApprox,
      frac_nonzero: neuron.frac_nonzero,
      visibility: neuron.visibility,
      creatorId: neuron.creatorId,
      vectorLabel: neuron.vectorLabel,
    })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer)))
    .orderBy(...indexOrder)
    .offset(offset)
    .limit(limit);
}

export async function countSourceFeatures(db: Db, modelId: string, layer: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer)));
  return Number(row?.n ?? 0);
}
