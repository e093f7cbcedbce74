// ExplanationScore rows: whether a scorer and model have scored an explanation, and new scores.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanationScore } from '../schema/index.js';

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
