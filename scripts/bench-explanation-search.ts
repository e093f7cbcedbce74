// npm run bench:search -- [--explanations N] [--queries Q] [--ef 100,200,400]: explanation search
// latency (p50, p99) and recall@10 against exact search, through the same query the API runs (with
// its access rules), for each HNSW ef_search given (default: the server's default).
// Embedded database by default; BENCH_DATABASE_URL for a Postgres server.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { analyzeTables } from '../src/db/analyze.js';
import { openDatabase, queryRows, type Db } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { DEFAULT_EF_SEARCH, searchByEmbedding } from '../src/db/queries/explanation-search.js';

const { values } = parseArgs({ options: { explanations: { type: 'string' }, queries: { type: 'string' }, ef: { type: 'string' } } });
const N = Number(values.explanations ?? 100_000);
const QUERIES = Number(values.queries ?? 200);
const EF_VALUES = (values.ef ?? String(DEFAULT_EF_SEARCH)).split(',').map(Number);
const url = process.env.BENCH_DATABASE_URL;

const database = await openDatabase(url ? { databaseUrl: url, dataDir: '' } : { dataDir: 'memory://' });
await runMigrations(database);
const db = database.db;
const exec = (query: ReturnType<typeof sql>) => db.execute(query);

const t0 = performance.now();
await exec(sql`DELETE FROM "Model" WHERE "id" = 'bench-search'`);
await exec(
  sql`INSERT INTO "Model" ("id", "creatorId", "layers", "neuronsPerLayer", "owner", "visibility") VALUES ('bench-search', 'x', 1, 0, 'bench', 'PUBLIC')`,
);
await exec(
  sql`INSERT INTO "SourceSet" ("modelId", "name", "description", "creatorName", "creatorId", "urls", "visibility") VALUES ('bench-search', 's', '', 'x', 'x', '{}', 'PUBLIC')`,
);
await exec(
  sql`INSERT INTO "Source" ("modelId", "id", "setName", "creatorId", "visibility") VALUES ('bench-search', '0-s', 's', 'x', 'PUBLIC')`,
);
await exec(
  sql`INSERT INTO "Neuron" ("modelId", "layer", "index") SELECT 'bench-search', '0-s', i::text FROM generate_series(0, ${N - 1}::int) AS i`,
);
// Build the HNSW index after loading, as a bulk import should: far faster than maintaining it row by row.
await exec(sql`DROP INDEX IF EXISTS "Explanation_embedding_hnsw_idx"`);
// Clustered vectors, like text embeddings (uniform random vectors in 256 dimensions have no
// neighbourhoods and are a degenerate case for any approximate index): 1000 topics plus noise.
const gaussian = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
const centers = Array.from({ length: 1000 }, () => Array.from({ length: 256 }, gaussian));
const nearTopic = () => centers[Math.floor(Math.random() * centers.length)]!.map((c) => c + 0.6 * gaussian());
for (let start = 0; start < N; start += 1000) {
  const rows = Array.from({ length: Math.min(1000, N - start) }, (_, k) => {
    const i = start + k;
    return sql`(${`bench-${i}`}, 'bench-search', '0-s', ${String(i)}, ${`explanation ${i}`}, 'x', ${`[${nearTopic().join(',')}]`}::vector)`;
  });
  await exec(
    sql`INSERT INTO "Explanation" ("id", "modelId", "layer", "index", "description", "authorId", "embedding") VALUES ${sql.join(rows, sql`, `)}`,
  );
}
const loadedMs = performance.now() - t0;
const t1 = performance.now();
await db.transaction(async (tx) => {
  // The build is fast only while the graph fits in maintenance_work_mem (about 1.5 GB for 1M x 256).
  await tx.execute(sql.raw(`SET LOCAL maintenance_work_mem = '${process.env.BENCH_MAINTENANCE_WORK_MEM ?? '1GB'}'`));
  if (url) await tx.execute(sql`SET LOCAL max_parallel_maintenance_workers = 2`);
  await tx.execute(sql`CREATE INDEX "Explanation_embedding_hnsw_idx" ON "Explanation" USING hnsw ("embedding" vector_cosine_ops)`);
});
// As the importer does after loading (the embedded database has no autovacuum to do it).
await analyzeTables(db, ['Explanation']);
const indexMs = performance.now() - t1;

const queries = Array.from({ length: QUERIES }, nearTopic);
async function exact(tx: Db, vector: number[]) {
  const v = `[${vector.join(',')}]`;
  return queryRows<{ index: string }>(
    tx,
    sql`SELECT "index" FROM "Explanation" WHERE "modelId" = 'bench-search' ORDER BY "embedding" <=> ${v}::vector LIMIT 10`,
  );
}
// Exact answers once, by a sequential scan, then the API's query at each ef_search.
const truths: Set<string>[] = [];
for (const vector of queries) {
  const truth = await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_indexscan = off`);
    return exact(tx as unknown as Db, vector);
  });
  truths.push(new Set(truth.map((r) => r.index)));
}
const results: string[] = [];
for (const ef of EF_VALUES) {
  const times: number[] = [];
  let recall = 0;
  for (const [q, vector] of queries.entries()) {
    const t = performance.now();
    const ann = await searchByEmbedding(db, vector, { kind: 'model', modelId: 'bench-search' }, null, 10, 0, ef);
    times.push(performance.now() - t);
    recall += ann.filter((r) => truths[q]!.has(r.index)).length / 10;
  }
  times.sort((a, b) => a - b);
  results.push(
    `ef_search ${ef}${ef === DEFAULT_EF_SEARCH ? ' (default)' : ''}: p50 ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(2)} ms, recall@10 ${(recall / QUERIES).toFixed(3)}`,
  );
}
await exec(sql`DELETE FROM "Model" WHERE "id" = 'bench-search'`);
await database.close();

console.log(
  `\nExplanation search on ${url ? 'Postgres' : 'PGlite'}: ${N} explanations x 256 dims (1000 clustered topics), ${QUERIES} queries`,
);
console.log(
  `load ${(loadedMs / 1000).toFixed(1)} s, HNSW build ${(indexMs / 1000).toFixed(1)} s (maintenance_work_mem ${process.env.BENCH_MAINTENANCE_WORK_MEM ?? '1GB'})`,
);
console.log('search (API query, strict iterative scan, LIMIT 10):');
for (const line of results) console.log(`  ${line}`);
