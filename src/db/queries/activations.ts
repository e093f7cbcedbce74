// Activation rows: a feature's top activations (strongest first), for one or many features; uploads.
import { and, asc, desc, eq, getTableColumns, lte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activation } from '../schema/index.js';
import { featureKeyIn, type ActivationRow, type FeatureKey } from './features.js';

/** A feature's activations, strongest first (the order the real server returns). */
export async function listActivations(db: Db, key: FeatureKey, limit?: number): Promise<ActivationRow[]> {
  const query = db
    .select()
    .from(activation)
    .where(and(eq(activation.modelId, key.modelId), eq(activation.layer, key.layer), eq(activation.index, key.index)))
    .orderBy(desc(activation.maxValue), asc(activation.id));
  return limit === undefined ? query : query.limit(limit);
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

export async function insertActivations(db: Db, rows: Array<typeof activation.$inferInsert>) {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(activation).values(rows).onConflictDoNothing().returning({ id: activation.id });
  return inserted.length;
}

/**
 * A fixed pseudo-random sample of a source's activations (ordered by a hash of their ids, so the
 * same data gives the same sample), for checking them against a recomputation.
 */
export async function sampleActivationsOfSource(db: Db, modelId: string, layer: string, limit: number): Promise<ActivationRow[]> {
  return db
    .select()
    .from(activation)
    .where(and(eq(activation.modelId, modelId), eq(activation.layer, layer)))
    .orderBy(sql`md5(${activation.id})`)
    .limit(limit);
}
