// Explanation rows: with their scores for the feature page, summaries for lists and searches, and
// the embedding backfill.
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanation, explanationScore, neuron, user } from '../schema/index.js';
import { featureKeyIn, type ExplanationScoreRow, type FeatureKey } from './features.js';

/** Every column but the 256-d embedding, which no client reads back. */
const { embedding: _embedding, ...explanationColumns } = getTableColumns(explanation);

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

export interface EmbeddingFilter {
  modelId?: string;
  layer?: string;
}

/** The next `limit` explanations without an embedding, after `afterId` (keyset paging by id). */
export async function explanationsWithoutEmbedding(db: Db, filter: EmbeddingFilter, afterId: string, limit: number) {
  return db
    .select({ id: explanation.id, description: explanation.description })
    .from(explanation)
    .where(
      and(
        isNull(explanation.embedding),
        gt(explanation.id, afterId),
        filter.modelId ? eq(explanation.modelId, filter.modelId) : undefined,
        filter.layer ? eq(explanation.layer, filter.layer) : undefined,
      ),
    )
    .orderBy(asc(explanation.id))
    .limit(limit);
}

export async function storeEmbeddings(db: Db, rows: Array<{ id: string; embedding: number[] }>) {
  if (rows.length === 0) return;
  const ids = sql.join(
    rows.map((r) => sql`${r.id}`),
    sql`, `,
  );
  const vectors = sql.join(
    rows.map((r) => sql`${`[${r.embedding.join(',')}]`}`),
    sql`, `,
  );
  // One statement for the batch: ids and vectors as two parallel arrays.
  await db.execute(sql`
    UPDATE "Explanation" AS e SET "embedding" = v.embedding::vector
    FROM unnest(ARRAY[${ids}]::text[], ARRAY[${vectors}]::text[]) AS v(id, embedding)
    WHERE e."id" = v.id`);
}

export type ExplanationRow = typeof explanation.$inferSelect;

export async function findExplanation(db: Db, id: string): Promise<ExplanationRow | undefined> {
  const [row] = await db.select().from(explanation).where(eq(explanation.id, id)).limit(1);
  return row;
}

/** Whether the feature already has an explanation of this type by this model. */
export async function hasExplanationBy(db: Db, key: FeatureKey, typeName: string, modelName: string): Promise<boolean> {
  const [row] = await db
    .select({ id: explanation.id })
    .from(explanation)
    .where(
      and(
        eq(explanation.modelId, key.modelId),
        eq(explanation.layer, key.layer),
        eq(explanation.index, key.index),
        eq(explanation.typeName, typeName),
        eq(explanation.explanationModelName, modelName),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** Stores an explanation; answers the row without its embedding (never sent to clients). */
export async function insertExplanation(db: Db, values: typeof explanation.$inferInsert) {
  const [row] = await db.insert(explanation).values(values).returning();
  const { embedding: _embedding, ...withoutEmbedding } = row!;
  return withoutEmbedding;
}

/** One explanation with its author's name; undefined when there is none with that id. */
export async function findExplanationWithAuthor(db: Db, id: string) {
  const [row] = await db
    .select({ explanation: explanationColumns, authorName: user.name })
    .from(explanation)
    .leftJoin(user, eq(user.id, explanation.authorId))
    .where(eq(explanation.id, id))
    .limit(1);
  return row;
}

export async function deleteExplanationRow(db: Db, id: string) {
  await db.delete(explanation).where(eq(explanation.id, id));
}

/**
 * One page of a source's explanations for the export, in id order after `afterId` (keyset paging:
 * each page is an index range scan, however deep the export is). Explanations of features with
 * their own PRIVATE visibility are left out unless `viewerId` created them (or `admin`).
 */
export async function pageSourceExplanations(
  db: Db,
  filter: { modelId: string; layer: string; viewerId: string | null; admin: boolean },
  afterId: string,
  limit: number,
) {
  const hidden = filter.admin
    ? undefined
    : or(isNull(neuron.visibility), ne(neuron.visibility, 'PRIVATE'), filter.viewerId ? eq(neuron.creatorId, filter.viewerId) : sql`false`);
  return db
    .select(explanationColumns)
    .from(explanation)
    .innerJoin(
      neuron,
      and(eq(neuron.modelId, explanation.modelId), eq(neuron.layer, explanation.layer), eq(neuron.index, explanation.index)),
    )
    .where(and(eq(explanation.modelId, filter.modelId), eq(explanation.layer, filter.layer), gt(explanation.id, afterId), hidden))
    .orderBy(asc(explanation.id))
    .limit(limit);
}

/** Explanations placed on the source's UMAP (both coordinates non-zero), as upstream selects them. */
export async function listUmapExplanations(db: Db, modelId: string, layer: string) {
  return db
    .select({
      id: explanation.id,
      layer: explanation.layer,
      index: explanation.index,
      description: explanation.description,
      umap_cluster: explanation.umap_cluster,
      umap_x: explanation.umap_x,
      umap_y: explanation.umap_y,
      umap_log_feature_sparsity: explanation.umap_log_feature_sparsity,
    })
    .from(explanation)
    .where(and(eq(explanation.modelId, modelId), eq(explanation.layer, layer), ne(explanation.umap_x, 0), ne(explanation.umap_y, 0)))
    .orderBy(asc(explanation.id));
}
