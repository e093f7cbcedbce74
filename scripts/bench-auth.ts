// npm run bench:auth: what API-key auth and the rate-limit check add to a request, measured beside
// the same request without them in one run. The request is a cached feature read (the cheapest
// real route), sent through Fastify's inject so only the server's own work is timed.
// Embedded database by default; BENCH_DATABASE_URL for a Postgres server.
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { serverOptions } from '../src/options.js';
import { seedSource } from '../test/fixtures/seed.js';
import { userWithKey } from '../test/fixtures/users.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const url = process.env.BENCH_DATABASE_URL;
const database = await openDatabase(url ? { databaseUrl: url, dataDir: '' } : { dataDir: 'memory://' });
await runMigrations(database);
const modelId = `bench-${Date.now()}`;
await seedSource(database.db, { modelId, features: 1, activationsPerFeature: 5 });
const { key } = await userWithKey(database.db, `bench${Date.now()}`);

async function measure(env: Record<string, string>, headers: Record<string, string>) {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const fastify = Fastify(serverOptions(config));
  await fastify.register(app, { config, database });
  await fastify.ready();
  const request = () => fastify.inject({ method: 'GET', url: `/api/feature/${modelId}/6-res-jb/0`, headers });
  for (let i = 0; i < 200; i++) await request(); // warm up: caches, JIT
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const res = await request();
    times.push(performance.now() - t0);
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${res.body.slice(0, 200)}`);
  }
  await fastify.close();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

const plain = await measure({ RATE_LIMITS: '' }, {});
const keyed = await measure({ RATE_LIMITS: '' }, { 'x-api-key': key });
const limited = await measure({ RATE_LIMITS: `api=${10 * REQUESTS}` }, { 'x-api-key': key });
await database.close();

console.log(`\nAuth and rate-limit cost on ${url ? 'Postgres' : 'PGlite'} (${REQUESTS} sequential cached feature reads each)\n`);
console.log('| request | p50 | p99 | added at p50 |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, r] of [
  ['anonymous, no limit', plain],
  ['with an API key', keyed],
  ['with an API key and a rate limit (one Postgres upsert)', limited],
] as const) {
  console.log(`| ${label} | ${r.p50.toFixed(3)} ms | ${r.p99.toFixed(3)} ms | ${(r.p50 - plain.p50).toFixed(3)} ms |`);
}
