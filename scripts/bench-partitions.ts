// npm run bench:partitions: feature reads and import rate at 1x and 10x the activations, with
// Activation partitioned by model (migration 0013) and, as the baseline in the same run,
// the unpartitioned tables of migration 0012. For each layout: 20 models filled server-side
// (INSERT … SELECT generate_series, random ids and values) to BENCH_ACTIVATIONS rows, then
// (a) BENCH_READS uncached feature reads (FEATURE_CACHE_SIZE=0, in-process, one at a time, random
// features of random models): p50/p99, and (b) the real importer (importExport) loading a fresh
// model's generated export: activation rows/s. Then grown to BENCH_SCALE times the rows and
// measured again. Prints each figure at 1x and at 10x, the ratio, and the two layouts side by side.
// Environment: BENCH_DATABASE_URL (a Postgres server, e.g. `scripts/dev-postgres url`),
// BENCH_ACTIVATIONS (default 1000000), BENCH_SCALE (10), BENCH_MODELS (20), BENCH_READS (400),
// BENCH_IMPORT_FEATURES (2000 features x 20 activations), BENCH_LAYOUTS (partitioned,unpartitioned).
// Disk: about 0.5 GB per million activations (16-token windows); each database is dropped after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { importExport } from '../src/ingest/import-export.js';
import { writeSampleExport } from '../src/ingest/sample/sample-export.js';
import { seedSource } from '../test/fixtures/seed.js';
import { buildAppOn } from '../test/helper.js';

const server = process.env.BENCH_DATABASE_URL;
if (!server) throw new Error('Set BENCH_DATABASE_URL to a Postgres server (scripts/dev-postgres url).');
const ACTIVATIONS = Number(process.env.BENCH_ACTIVATIONS ?? 1_000_000);
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const MODELS = Number(process.env.BENCH_MODELS ?? 20);
const READS = Number(process.env.BENCH_READS ?? 400);
const IMPORT_FEATURES = Number(process.env.BENCH_IMPORT_FEATURES ?? 2000);
const LAYOUTS = (process.env.BENCH_LAYOUTS ?? 'partitioned,unpartitioned').split(',');
const ACTS_PER_FEATURE = 20;
const TOKENS = 16;
const LAYER = '6-res-jb';

interface Figures {
  p50: number;
  p99: number;
  importRate: number;
}

const modelIds = Array.from({ length: MODELS }, (_, i) => `bench-model-${String(i).padStart(2, '0')}`);

/** Features per model for `activations` rows over all models. */
const featuresFor = (activations: number) => Math.ceil(activations / MODELS / ACTS_PER_FEATURE);

/**
 * Adds features [from, to) to every model, each with ACTS_PER_FEATURE activations, one transaction
 * per model. The backdrop is consistent by construction, so its foreign-key checks are skipped
 * (session_replication_role = replica, superuser): row by row they made a 10M fill take most of an
 * hour on 2 cores. The import that is measured runs with every check.
 */
async function fill(database: Database, from: number, to: number) {
  const tokens = `ARRAY[${Array.from({ length: TOKENS }, (_, t) => `'tok${t}'`).join(',')}]`;
  const client = await database.pool!.connect();
  try {
    for (const modelId of modelIds) {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(
        `INSERT INTO "Neuron" ("modelId", "layer", "index", "sourceSetName", "creatorId", "maxActApprox", "frac_nonzero")
         SELECT $1, $2, i::text, 'res-jb', 'bench', 10, 0.001 FROM generate_series($3::int, $4::int) i`,
        [modelId, LAYER, from, to - 1],
      );
      // md5 ids: spread over the key space as the exports' cuids are, so index inserts are not appends.
      await client.query(
        `INSERT INTO "Activation" ("id", "modelId", "layer", "index", "tokens", "values", "maxValue", "maxValueTokenIndex", "minValue", "creatorId")
         SELECT md5($1 || '/' || i || '/' || k), $1, $2, i::text, ${tokens},
                array_fill(random() * 10, ARRAY[${TOKENS}]), random() * 10, k % ${TOKENS}, 0, 'bench'
         FROM generate_series($3::int, $4::int) i, generate_series(1, ${ACTS_PER_FEATURE}) k`,
        [modelId, LAYER, from, to - 1],
      );
      await client.query('COMMIT');
    }
    // Steady state before measuring, as after autovacuum has passed: otherwise the reads race
    // autovacuum on the millions of rows just written, and set hint bits on first touch, both of
    // which land in p99 (seen: 12.8 → 59.9 ms at 10x with ANALYZE alone).
    await client.query('VACUUM (ANALYZE) "Neuron", "Activation"');
  } finally {
    client.release();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Uncached feature reads through the real app, one at a time, random features of random models. */
async function reads(database: Database, features: number): Promise<{ p50: number; p99: number }> {
  const app = await buildAppOn(database, async () => {}, { FEATURE_CACHE_SIZE: '0', RATE_LIMITS: 'api=off' });
  try {
    const times: number[] = [];
    let seed = 12345;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < READS + 50; i++) {
      const url = `/api/feature/${modelIds[next(MODELS)]}/${LAYER}/${next(features)}`;
      const started = performance.now();
      const res = await app.app.inject(url);
      const elapsed = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (i >= 50) times.push(elapsed); // the first 50 warm the connections and plans
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    await app.app.close();
  }
}

/** The real importer on a fresh model's export: activation rows per second of activation files. */
async function importRate(database: Database, label: string): Promise<number> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-partitions-'));
  try {
    await writeSampleExport(root, {
      modelId: `bench-fresh-${label}`,
      // Its own source name: the sample's activation ids name the source, and the unpartitioned
      // table's key is the id alone.
      setName: `fresh${label}`,
      featuresPerSource: IMPORT_FEATURES,
      activationsPerFeature: ACTS_PER_FEATURE,
      tokensPerActivation: TOKENS,
      explanationsPerFeature: 0,
    });
    let first = Infinity;
    let last = 0;
    let rows = 0;
    await importExport(database, {
      location: root,
      onEvent: (e) => {
        if (e.type === 'file-start' && e.file.table === 'Activation') first = Math.min(first, performance.now());
        if (e.type === 'file-done' && e.file.table === 'Activation') {
          last = Math.max(last, performance.now());
          rows += e.inserted;
        }
      },
    });
    if (rows !== IMPORT_FEATURES * ACTS_PER_FEATURE) throw new Error(`import of ${label} inserted ${rows} activations`);
    return rows / ((last - first) / 1000);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function layout(name: string): Promise<[Figures, Figures]> {
  const dbName = `bench_partitions_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = Object.assign(new URL(server!), { pathname: `/${dbName}` }).toString();
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 4 });
  try {
    await runMigrations(database, name === 'unpartitioned' ? { through: '0012_page-sessions' } : {});
    for (const modelId of modelIds) await seedSource(database.db, { modelId, features: 0 });
    const measure = async (activations: number, label: string): Promise<Figures> => {
      const started = performance.now();
      await fill(database, label === '1x' ? 0 : featuresFor(ACTIVATIONS), featuresFor(activations));
      const total = await database.db.execute(sql`SELECT count(*)::int AS n FROM "Activation"`);
      const n = (total as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
      console.log(
        `  ${name} ${label}: ${n.toLocaleString('en')} activations over ${MODELS} models (filled in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
      const { p50, p99 } = await reads(database, featuresFor(activations));
      const rate = await importRate(database, label);
      return { p50, p99, importRate: rate };
    };
    const small = await measure(ACTIVATIONS, '1x');
    const large = await measure(ACTIVATIONS * SCALE, `${SCALE}x`);
    return [small, large];
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

const fmt = (v: number, digits = 2) => v.toFixed(digits).padStart(9);
const row = (label: string, a: number, b: number, unit: string, digits = 2) =>
  `  ${label.padEnd(22)} ${fmt(a, digits)} ${fmt(b, digits)} ${unit.padEnd(7)} ${(b / a).toFixed(2).padStart(6)}x`;

console.log(
  `partitions: ${MODELS} models, ${ACTIVATIONS.toLocaleString('en')} then ${(ACTIVATIONS * SCALE).toLocaleString('en')} activations ` +
    `(${ACTS_PER_FEATURE} per feature, ${TOKENS} tokens); ${READS} uncached reads; import of ${IMPORT_FEATURES * ACTS_PER_FEATURE} activations; ${os.availableParallelism()} cores`,
);
const results: Record<string, [Figures, Figures]> = {};
for (const name of LAYOUTS) {
  const [small, large] = (results[name] = await layout(name));
  // Printed as each layout finishes: a long run cut short still leaves its figures.
  console.log(`${name}:${' '.repeat(Math.max(1, 24 - name.length))}       1x ${`${SCALE}x`.padStart(9)}         ${SCALE}x/1x`);
  console.log(row('feature read p50', small.p50, large.p50, 'ms'));
  console.log(row('feature read p99', small.p99, large.p99, 'ms'));
  console.log(row('import', small.importRate, large.importRate, 'rows/s', 0));
}
if (results.partitioned && results.unpartitioned) {
  const [, p] = results.partitioned;
  const [, u] = results.unpartitioned;
  console.log(
    `at ${SCALE}x, partitioned / unpartitioned: p50 ${(p.p50 / u.p50).toFixed(2)}x, p99 ${(p.p99 / u.p99).toFixed(2)}x, import ${(p.importRate / u.importRate).toFixed(2)}x`,
  );
}
