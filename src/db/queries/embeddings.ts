// Explanations without an embedding, and storing embeddings for them.
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanation } from '../schema/index.js';

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
