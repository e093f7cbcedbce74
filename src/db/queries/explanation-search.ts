// Explanation search: nearest embeddings by cosine distance (HNSW, iterative scans so filters do
// not starve results), or Postgres full-text search when no embedding service is configured. The
// viewer's access rules are part of the query, so a page is never short because rows were hidden.
// (Rows of sources that have vanished are not matched here: explanations cascade with their feature.)
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';

export type SearchScope =
  | { kind: 'all' }
  | { kind: 'model'; modelId: string }
  | { kind: 'layers'; modelId: string; layers: string[] }
  | { kind: 'release'; releaseName: string };

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
      return sql`e."modelId" = ${scope.modelId} AND e."layer" IN (${sql.join(
        scope.layers.map((l) => sql`${l}`),
        sql`, `,
      )})`;
    case 'release':
      return sql`(e."modelId", e."layer") IN (
        SELECT s."modelId", s."id" FROM "Source" s JOIN "SourceSet" ss ON ss."modelId" = s."modelId" AND ss."name" = s."setName"
        WHERE ss."releaseName" = ${scope.releaseName} AND ss."hasDashboards" AND s."hasDashboards")`;
  }
}

/**
 * A search lists what it finds, so it shows only what is listed to the viewer: PUBLIC things, and
 * their own and (for admins) everything. UNLISTED is readable by whoever knows its name, never
 * listed. What the viewer may not see is found first (such things are few), so the search itself
 * stays a plain index scan with a cheap NOT IN filter, or none at all.
 */
/** Who searches (the services' Viewer fits): the data layer needs only these two facts. */
export interface Searcher {
  id: string;
  admin: boolean;
}

async function listedCondition(db: Db, viewer: Searcher | null): Promise<SQL> {
  if (viewer?.admin) return sql`true`;
  const me = viewer?.id ?? '';
  const hiddenSources = await queryRows<{ modelId: string; id: string }>(
    db,
    sql`SELECT s."modelId", s."id" FROM "Source" s
        JOIN "SourceSet" ss ON ss."modelId" = s."modelId" AND ss."name" = s."setName"
        JOIN "Model" m ON m."id" = s."modelId"
        WHERE (m."visibility" <> 'PUBLIC' AND m."creatorId" <> ${me})
           OR (ss."visibility" <> 'PUBLIC' AND ss."creatorId" <> ${me})
           OR (s."visibility" <> 'PUBLIC' AND s."creatorId" <> ${me})`,
  );
  // The predicate matches the partial index Neuron_not_public_idx.
  const hiddenFeatures = await queryRows<{ modelId: string; layer: string; index: string }>(
    db,
    sql`SELECT n."modelId", n."layer", n."index" FROM "Neuron" n WHERE n."visibility" <> 'PUBLIC' AND n."creatorId" IS DISTINCT FROM ${me}`,
  );
  const conditions: SQL[] = [];
  if (hiddenSources.length > 0) {
    conditions.push(
      sql`(e."modelId", e."layer") NOT IN (${sql.join(
        hiddenSources.map((h) => sql`(${h.modelId}, ${h.id})`),
        sql`, `,
      )})`,
    );
  }
  if (hiddenFeatures.length > 0) {
    conditions.push(
      sql`(e."modelId", e."layer", e."index") NOT IN (${sql.join(
        hiddenFeatures.map((h) => sql`(${h.modelId}, ${h.layer}, ${h.index})`),
        sql`, `,
      )})`,
    );
  }
  return conditions.length > 0 ? sql.join(conditions, sql` AND `) : sql`true`;
}

const COLUMNS = sql`e."modelId", e."layer", e."index", e."description", e."explanationModelName", e."typeName"`;

/**
 * HNSW candidate list. Measured on 1M clustered 256-d embeddings on Postgres
 * (scripts/bench-explanation-search.ts, three runs on two machines): recall@10 0.94-0.96 at 400,
 * 0.957-0.973 at 800, 0.963-0.974 at 1000 (pgvector's maximum, and upstream's setting), with p50
 * 7-13 ms at every value: the candidate list is not where the time goes, so the most exact
 * setting is the default.
 */
export const DEFAULT_EF_SEARCH = 1000;

export async function searchByEmbedding(
  db: Db,
  embedding: number[],
  scope: SearchScope,
  viewer: Searcher | null,
  limit: number,
  offset: number,
  efSearch: number = DEFAULT_EF_SEARCH,
): Promise<SearchHit[]> {
  const vector = `[${embedding.join(',')}]`;
  const access = await listedCondition(db, viewer);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // ef_search trades speed for recall; iterative scans (pgvector 0.8) keep going when filters drop rows.
    await tx.execute(sql.raw(`SET LOCAL hnsw.ef_search = ${Math.trunc(efSearch)}`));
    await tx.execute(sql`SET LOCAL hnsw.iterative_scan = strict_order`);
    return queryRows<SearchHit>(
      tx,
      sql`SELECT ${COLUMNS}, 1 - (e."embedding" <=> ${vector}::vector) AS cosine_similarity
          FROM "Explanation" e
          WHERE e."embedding" IS NOT NULL AND ${scopeCondition(scope)} AND ${access}
          -- Distance alone: a second sort key would stop Postgres from reading the HNSW index in order.
          ORDER BY e."embedding" <=> ${vector}::vector
          LIMIT ${limit} OFFSET ${offset}`,
    );
  });
}

export async function searchByText(
  db: Db,
  query: string,
  scope: SearchScope,
  viewer: Searcher | null,
  limit: number,
  offset: number,
): Promise<SearchHit[]> {
  const access = await listedCondition(db, viewer);
  const rows = await queryRows<SearchHit & { rank: number }>(
    db,
    sql`SELECT ${COLUMNS}, NULL::float8 AS cosine_similarity, ts_rank(to_tsvector('english', e."description"), q) AS rank
        FROM "Explanation" e, websearch_to_tsquery('english', ${query}) q
        WHERE to_tsvector('english', e."description") @@ q AND ${scopeCondition(scope)} AND ${access}
        ORDER BY rank DESC, e."id"
        LIMIT ${limit} OFFSET ${offset}`,
  );
  return rows.map(({ rank: _rank, ...hit }) => hit);
}
