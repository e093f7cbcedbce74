// Explanations one at a time (create, read with details, delete) and their scores; the export's
// pages. Searches live in explanation-search.ts.
import { and, asc, eq, getTableColumns, gt, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanation, explanationScore, neuron, user } from '../schema/index.js';

export type NewExplanation = typeof explanation.$inferInsert;

export async function insertExplanation(db: Db, row: NewExplanation) {
  const [created] = await db.insert(explanation).values(row).returning();
  return created!;
}

/** Every column but the 256-d embedding, which no client reads back. */
const { embedding: _embedding, ...explanationColumns } = getTableColumns(explanation);

/** One explanation with its author's name; undefined when there is none with that id. */
export async function findExplanation(db: Db, id: string) {
  const [row] = await db
    .select({ explanation: explanationColumns, authorName: user.name })
    .from(explanation)
    .leftJoin(user, eq(user.id, explanation.authorId))
    .where(eq(explanation.id, id))
    .limit(1);
  return row;
}

export async function listScoresOfExplanation(db: Db, explanationId: string) {
  return db
    .select()
    .from(explanationScore)
    .where(eq(explanationScore.explanationId, explanationId))
    .orderBy(asc(explanationScore.createdAt), asc(explanationScore.id));
}

export async function deleteExplanationRow(db: Db, id: string) {
  await db.delete(explanation).where(eq(explanation.id, id));
}

/** A score with the feature its explanation is about (for the access check). */
export async function findExplanationScore(db: Db, id: string) {
  const [row] = await db
    .select({ score: explanationScore, modelId: explanation.modelId, layer: explanation.layer, index: explanation.index })
    .from(explanationScore)
    .innerJoin(explanation, eq(explanation.id, explanationScore.explanationId))
    .where(eq(explanationScore.id, id))
    .limit(1);
  return row;
}

export async function deleteExplanationScoreRow(db: Db, id: string) {
  await db.delete(explanationScore).where(eq(explanationScore.id, id));
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
