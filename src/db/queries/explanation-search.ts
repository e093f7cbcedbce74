// Explanation search: nearest embeddings by cosine distance (HNSW, iterative scans so filters do
// not starve results), or Postgres full-text search when no embedding service is configured. The
// viewer's access rules are part of the query, so a page is never short because rows were hidden.
import { sql, type SQL } from 'drizzle-orm';
import type { Viewer } from '../../access/viewer.js';
import { queryRows, type Db } from '../client.js';

export type SearchScope = { kind: 'all' } | { kind: 'model'; modelId: string } | { kind: 'layers'; modelId: string; layers: string[] } | { kind: 'release'; releaseName: string };

export interface SearchHit {
  modelId: string;
  layer: string;
  index: string;
  description: string;
  explanationModelName: string | null;
  typeName: string | null;
  cosine_similarity: number | null;
}

function scopeCondition(scope: SearchScope): SQL {
  switch (scope.kind) {
    case 'all':
      return sql`true`;
    case 'model':
      return sql`e."modelId" = ${scope.modelId}`;
    case 'layers':
      return sql`e."modelId" = ${scope.modelId} AND e."layer" IN (${sql.join(scope.layers.map((l) => sql`${l}`), sql`, `)})`;
    case 'release':
      return sql`(e."modelId", e."layer") IN (
        SELECT s."modelId", s."id" FROM "Source" s JOIN "SourceSet" ss ON ss."modelId" = s."modelId" AND ss."name" = s."setName"
        WHERE ss."releaseName" = ${scope.releaseName} AND ss."hasDashboards" AND s."hasDashboards")`;
  }
}

/** Upstream's rule in SQL: model, source set and source readable, and the feature itself when it has its own visibility. */
function accessCondition(viewer: Viewer | null): SQL {
  if (viewer?.admin) return sql`true`;
  const me = viewer?.id ?? '';
  return sql`EXISTS (
      SELECT 1 FROM "Source" s
      JOIN "SourceSet" ss ON ss."modelId" = s."modelId" AND ss."name" = s."setName"
      JOIN "Model" m ON m."id" = s."modelId"
      WHERE s."modelId" = e."modelId" AND s."id" = e."layer"
        AND (m."visibility" <> 'PRIVATE' OR m."creatorId" = ${me})
        AND (ss."visibility" <> 'PRIVATE' OR ss."creatorId" = ${me})
        AND (s."visibility" <> 'PRIVATE' OR s."creatorId" = ${me}))
    AND NOT EXISTS (
      SELECT 1 FROM "Neuron" n
      WHERE n."modelId" = e."modelId" AND n."layer" = e."layer" AND n."index" = e."index"
        AND n."visibility" = 'PRIVATE' AND n."creatorId" IS DISTINCT FROM ${me})`;
}

const COLUMNS = sql`e."modelId", e."layer", e."index", e."description", e."explanationModelName", e."typeName"`;

export async function searchByEmbedding(db: Db, embedding: number[], scope: SearchScope, viewer: Viewer | null, limit: number, offset: number): Promise<SearchHit[]> {
  const vector = `[${embedding.join(',')}]`;
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // ef_search 200 keeps recall high; iterative scans (pgvector 0.8) keep going when filters drop rows.
    await tx.execute(sql`SET LOCAL hnsw.ef_search = 200`);
    await tx.execute(sql`SET LOCAL hnsw.iterative_scan = strict_order`);
    return queryRows<SearchHit>(
      tx,
      sql`SELECT ${COLUMNS}, 1 - (e."embedding" <=> ${vector}::vector) AS cosine_similarity
          FROM "Explanation" e
          WHERE e."embedding" IS NOT NULL AND ${scopeCondition(scope)} AND ${accessCondition(viewer)}
          -- Distance alone: a second sort key would stop Postgres from reading the HNSW index in order.
          ORDER BY e."embedding" <=> ${vector}::vector
          LIMIT ${limit} OFFSET ${offset}`,
    );
  });
}

export async function searchByText(db: Db, query: string, scope: SearchScope, viewer: Viewer | null, limit: number, offset: number): Promise<SearchHit[]> {
  const rows = await queryRows<SearchHit & { rank: number }>(
    db,
    sql`SELECT ${COLUMNS}, NULL::float8 AS cosine_similarity, ts_rank(to_tsvector('english', e."description"), q) AS rank
        FROM "Explanation" e, websearch_to_tsquery('english', ${query}) q
        WHERE to_tsvector('english', e."description") @@ q AND ${scopeCondition(scope)} AND ${accessCondition(viewer)}
        ORDER BY rank DESC, e."id"
        LIMIT ${limit} OFFSET ${offset}`,
  );
  return rows.map(({ rank: _rank, ...hit }) => hit);
}
