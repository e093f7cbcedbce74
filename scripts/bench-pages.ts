// npm run bench:pages: how fast the mirror produces its web pages on the embedded database.
// Prints the p50/p99 time to produce a feature page's HTML with the cache warm (in-process
// requests, one at a time; goal < 20 ms p50) and the size of every kind of page before
// compression (goal: the largest < 200 KB), on a source of 300 features with 60 activations of
// 64 tokens each and 3 explanations (the feature bench's shape).
// Options (environment): BENCH_REQUESTS (default 500).
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { serverOptions } from '../src/options.js';
import { seedSource } from '../test/fixtures/seed.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const MODEL = 'bench-model';

const database = await openDatabase({ dataDir: 'memory://' });
await runMigrations(database);
await seedSource(database.db, { modelId: MODEL, features: 300, activationsPerFeature: 60, tokensPerActivation: 64 });
const config = loadConfig({ LOG_LEVEL: 'warn', DEMO_DATA: 'false' });
const fastify = Fastify(serverOptions(config));
await fastify.register(app, { config, database });
await fastify.ready();

const feature = `/${MODEL}/6-res-jb/1`;
const quick = encodeURIComponent(
  JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ modelId: MODEL, layer: '6-res-jb', index: String(i) }))),
);
const pages: Record<string, string> = {
  home: '/',
  'available-resources': '/available-resources',
  source: `/${MODEL}/6-res-jb`,
  feature,
  'feature, activations 51-60': `${feature}?acts=50`,
  search: '/search-explanations?q=cats',
  'quick-list (50)': `/quick-list/?name=bench&features=${quick}`,
  steer: `/steer?feature=${MODEL}/6-res-jb/1`,
  'sign-in': '/sign-in',
};

for (let i = 0; i < 50; i++) await fastify.inject(feature); // warm: cache, JIT
const times: number[] = [];
for (let i = 0; i < REQUESTS; i++) {
  const start = process.hrtime.bigint();
  const res = await fastify.inject(feature);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (res.statusCode !== 200) throw new Error(`feature page answered ${res.statusCode}`);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
console.log(`feature page HTML, cache warm, ${REQUESTS} requests: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (goal p50 < 20 ms)`);

let largest = { name: '', bytes: 0 };
for (const [name, url] of Object.entries(pages)) {
  const res = await fastify.inject(url);
  const bytes = Buffer.byteLength(res.body);
  if (bytes > largest.bytes) largest = { name, bytes };
  console.log(`${name.padEnd(28)} ${String(res.statusCode).padEnd(4)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`largest page: ${largest.name}, ${(largest.bytes / 1024).toFixed(1)} KB (goal < 200 KB)`);
await fastify.close();
await database.close();
