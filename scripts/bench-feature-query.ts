// npm run bench:feature-query: one uncached feature read (60 activations x 64 tokens), the
// one-query read the route uses (readFeatureJson: Postgres writes the JSON) beside the four-query
// read it replaced (readFeature, then the response schema's serializer), measured in one run,
// interleaved, one request at a time. Both as service calls, and through HTTP routing (inject):
// the mirror's route with the feature cache off against the old handler on a bare Fastify.
// Embedded database by default; BENCH_DATABASE_URL for a Postgres server (a fresh database is
// created on it and dropped). BENCH_REQUESTS (default 1000 per variant).
import Fastify, { type FastifyReply } from 'fastify';
import pg from 'pg';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { serverOptions } from '../src/options.js';
import { FeatureResponse } from '../src/schemas/feature.js';
import { readFeature } from '../src/services/feature/read-feature.js';
import { readFeatureJson } from '../src/services/feature/read-feature-json.js';
import { seedSource } from '../test/fixtures/seed.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const server = process.env.BENCH_DATABASE_URL;
const dbName = `bench_feature_query_${process.pid}_${Date.now()}`;
const databaseUrl = server && Object.assign(new URL(server), { pathname: `/${dbName}` }).toString();
if (server) await adminQuery(`CREATE DATABASE "${dbName}"`);
const database = await openDatabase(databaseUrl ? { databaseUrl, dataDir: '', poolSize: 4 } : { dataDir: 'memory://' });

async function adminQuery(text: string) {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(text);
  await admin.end();
}

try {
  await runMigrations(database);
  await seedSource(database.db, { features: 3, activationsPerFeature: 60, tokensPerActivation: 64 });
  const key = { modelId: 'gpt2-small', layer: '6-res-jb', index: '1' };
  const url = '/api/feature/gpt2-small/6-res-jb/1';

  // The mirror, feature cache off: every request reaches the database.
  const config = loadConfig({ LOG_LEVEL: 'silent', FEATURE_CACHE_SIZE: '0', RATE_LIMITS: '' });
  const mirror = Fastify(serverOptions(config));
  await mirror.register(app, { config, database });
  // The four-query handler as it was, on a bare Fastify with the same response schema.
  const old = Fastify();
  let savedReply: FastifyReply | undefined;
  old.get('/api/feature/:modelId/:layer/:index', { schema: { response: { 200: FeatureResponse } } }, async (_request, reply) => {
    savedReply = reply;
    const result = await readFeature(database.db, key, null);
    if (!result.found) throw new Error('not found');
    return result.feature;
  });
  await Promise.all([mirror.ready(), old.ready()]);
  await old.inject({ method: 'GET', url });
  const serialize = (value: Record<string, unknown>) => savedReply!.serializeInput(value, '200') as string;

  const variants: Array<[string, () => Promise<string>]> = [
    [
      'four-query read (readFeature + schema serializer), service call',
      async () => {
        const result = await readFeature(database.db, key, null);
        return result.found ? serialize(result.feature) : '';
      },
    ],
    [
      'one-query read (readFeatureJson), service call',
      async () => {
        const result = await readFeatureJson(database.db, key, null);
        return result.found ? result.body : '';
      },
    ],
    ['four-query handler on a bare Fastify, through inject', async () => (await old.inject({ method: 'GET', url })).body],
    ['the mirror route, feature cache off, through inject', async () => (await mirror.inject({ method: 'GET', url })).body],
  ];
  const bodies = await Promise.all(variants.map(([, run]) => run()));
  if (new Set(bodies).size !== 1) throw new Error('the variants answer different bytes');

  // Interleaved rounds, so a noisy neighbour on the machine slows every variant alike.
  const times: number[][] = variants.map(() => []);
  for (const [, run] of variants) for (let i = 0; i < 100; i++) await run(); // warm up
  for (let round = 0; round < REQUESTS / 50; round++) {
    for (const [v, [, run]] of variants.entries()) {
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await run();
        times[v]!.push(performance.now() - t0);
      }
    }
  }
  await Promise.all([mirror.close(), old.close()]);

  const pct = (list: number[], p: number) => [...list].sort((a, b) => a - b)[Math.floor(list.length * p)]!;
  const baseline = pct(times[0]!, 0.5);
  console.log(
    `\nUncached feature read on ${server ? 'Postgres' : 'PGlite'}: ${url} (${(bodies[0]!.length / 1024).toFixed(1)} KB, 60 activations x 64 tokens), ${REQUESTS} sequential reads per variant\n`,
  );
  console.log('| read | p50 | p99 | p50 vs four-query service call |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [v, [label]] of variants.entries()) {
    const p50 = pct(times[v]!, 0.5);
    console.log(`| ${label} | ${p50.toFixed(2)} ms | ${pct(times[v]!, 0.99).toFixed(2)} ms | ${(p50 / baseline).toFixed(2)}x |`);
  }
} finally {
  await database.close();
  if (server) await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
}
