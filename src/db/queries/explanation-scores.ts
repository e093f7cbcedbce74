// ExplanationScore rows: whether a scorer and model have scored an explanation, and new scores.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanation, explanationScore } from '../schema/index.js';

export async function hasScore(db: Db, explanationId: string, typeName: string, modelName: string): Promise<boolean> {
  const [row] = await db
    .select({ id: explanationScore.id })
    .from(explanationScore)
    .where(
      and(
        eq(explanationScore.explanationId, explanationId),
        eq(explanationScore.explanationScoreTypeName, typeName),
        eq(explanationScore.explanationScoreModelName, modelName),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export async function insertExplanationScore(db: Db, values: typeof explanationScore.$inferInsert) {
  const [row] = await db.insert(explanationScore).values(values).returning();
  return row!;
}

export async function listScoresOfExplanation(db: Db, explanationId: string) {
  return db
    .select()
    .from(explanationScore)
    .where(eq(explanationScore.explanationId, explanationId))
    .orderBy(asc(explanationScore.createdAt), asc(explanationScore.id));
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
