// npm run bench:inference: what the mirror adds on top of an inference server, for search-all
// (50 results joined with their features, top activations and explanations) and for steering,
// measured beside direct calls to the same inference server in one run. The inference server is
// the test stand-in (test/doubles/inference-server.ts), which answers at once, so the difference
// is the mirror's own work: HTTP, validation, access checks, the database join or the steering
// cache lookup and save, and the rate-limit count (limits on, set high). Everything goes over
// real HTTP on localhost; the client reads answers as bytes (parsing them is the client's cost).
// search-all is measured twice: with FEATURE_CACHE_SIZE=0 (every feature and access check read
// from the database) and with the default feature cache (repeated features served from memory).
// Steering too: with FEATURE_CACHE_SIZE=0 every request reads the model, sources and neurons for its
// access checks; with the cache only the saved-output lookup, the rate-limit count and the save
// reach the database. The queries each steering request runs are counted (drizzle's logger).
// Embedded database by default; BENCH_DATABASE_URL for a Postgres server.
//   --requests N   requests per measurement (default 500)
//   --features N   features in the source (default 200; search-all asks for 50)
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { serverOptions } from '../src/options.js';
import { startInferenceDouble } from '../test/doubles/inference-server.js';
import { recordQueries } from '../test/fixtures/query-log.js';
import { seedSource } from '../test/fixtures/seed.js';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '500' }, features: { type: 'string', default: '200' } },
});
const REQUESTS = Number(args.requests);
const FEATURES = Number(args.features);
const NUM_RESULTS = 50;
const TEXT = 'The Eiffel Tower is in Paris, and the Golden Gate Bridge is in San Francisco near the bay';
const url = process.env.BENCH_DATABASE_URL;

const database = await openDatabase(url ? { databaseUrl: url, dataDir: '' } : { dataDir: 'memory://' });
await runMigrations(database);
const modelId = `bench-${Date.now()}`;
console.error(`seeding ${FEATURES} features…`);
const { layer } = await seedSource(database.db, { modelId, features: FEATURES, activationsPerFeature: 3, tokensPerActivation: 32 });

const double = await startInferenceDouble();
double.featuresPerSource = FEATURES;
double.sourceSets = { 'res-jb': [layer] };
/** A mirror on a free port, with the stand-in as its inference server; rate limits on, set high. */
async function startMirror(env: Record<string, string> = {}) {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMITS: 'steer=1000000,search-all=1000000',
    INFERENCE_HOSTS: `*=${double.url}`,
    INFERENCE_SECRET: double.secret,
    ...env,
  });
  const fastify = Fastify(serverOptions(config));
  await fastify.register(app, { config, database });
  return { url: await fastify.listen({ port: 0, host: '127.0.0.1' }), close: () => fastify.close() };
}
const uncached = await startMirror({ FEATURE_CACHE_SIZE: '0' });
const server = await startMirror();
const mirror = server.url;

/** POSTs JSON and reads the whole answer as bytes: decoding and parsing it is the client's work, not the server's. */
async function post(base: string, path: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-encoding': 'identity', ...headers },
    body: JSON.stringify(body),
  });
  const bytes = await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${path}: status ${response.status}: ${Buffer.from(bytes).toString('utf8', 0, 300)}`);
  return bytes;
}
const postJson = async (base: string, path: string, body: object) =>
  JSON.parse(Buffer.from(await post(base, path, body)).toString('utf8')) as Record<string, unknown>;

/** p50 and p99 of `REQUESTS` sequential calls, after a warm-up; `call(i)` gets the request number. */
async function measure(call: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await call(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    await call(i);
    times.push(performance.now() - t0);
    double.requests.length = 0; // the stand-in records every request; keep its memory flat
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

// search-all: one inference call, then the join of 50 results with the database.
const searchBody = {
  modelId,
  sourceSet: 'res-jb',
  text: TEXT,
  selectedLayers: [],
  sortIndexes: [],
  ignoreBos: true,
  numResults: NUM_RESULTS,
};
const upstreamSearchBody = {
  prompt: TEXT,
  model: 'gpt2-small',
  selectedSources: [],
  sortByTokenIndexes: [],
  sourceSet: 'res-jb',
  ignoreBos: true,
  numResults: NUM_RESULTS,
};
const secret = { 'x-secret-key': double.secret };
const probe = await postJson(mirror, '/api/search-all', searchBody);
const joined = (probe.result as Array<{ neuron: { explanations: unknown[]; activations: unknown[] } }>) ?? [];
if (joined.length !== NUM_RESULTS || !joined.every((r) => r.neuron.explanations.length > 0 && r.neuron.activations.length > 0)) {
  throw new Error(`search-all should return ${NUM_RESULTS} joined results, got ${joined.length}`);
}
const searchDirect = await measure(() => post(double.url, '/v1/activation/all', upstreamSearchBody, secret));
const searchUncached = await measure(() => post(uncached.url, '/api/search-all', searchBody));
const searchMirror = await measure(() => post(mirror, '/api/search-all', searchBody));

// steer: the mirror asks for STEERED and DEFAULT in parallel (as upstream does), looks up and
// saves the steering cache. A new seed per request keeps every request a cache miss.
const features = [
  { modelId, layer, index: 1, strength: 40 },
  { modelId, layer, index: 2, strength: -10 },
];
const steerBody = (seed: number) => ({
  prompt: 'The most iconic structure on Earth is',
  modelId,
  features,
  temperature: 0.5,
  n_tokens: 16,
  seed,
  strength_multiplier: 4,
});
const upstreamSteerBody = (seed: number, type: string) => ({
  prompt: 'The most iconic structure on Earth is',
  model: 'gpt2-small',
  features: features.map((f) => ({ model: 'gpt2-small', source: layer, index: f.index, strength: f.strength })),
  strengthMultiplier: 4,
  nCompletionTokens: 16,
  temperature: 0.5,
  freqPenalty: 0,
  seed,
  steerMethod: 'SIMPLE_ADDITIVE',
  normalizeSteering: false,
  nLogprobs: 5,
  types: [type],
  stream: false,
});
const steerDirect = await measure((i) =>
  Promise.all(['STEERED', 'DEFAULT'].map((type) => post(double.url, '/v1/steer/completion', upstreamSteerBody(10_000 + i, type), secret))),
);
const steerUncached = await measure((i) => post(uncached.url, '/api/steer', steerBody(30_000 + i)));
const steerMirror = await measure((i) => post(mirror, '/api/steer', steerBody(20_000 + i)));
const steerCached = await measure(() => post(mirror, '/api/steer', steerBody(20_000)));

/** Queries one steering request runs (a new seed: a cache miss of the saved outputs). */
async function queriesPerSteer(base: string, seed: number) {
  const log = recordQueries(database.db);
  try {
    await post(base, '/api/steer', steerBody(seed));
  } finally {
    log.stop();
  }
  return log.queries.length;
}
const steerQueries = { uncached: await queriesPerSteer(uncached.url, 90_000), cached: await queriesPerSteer(mirror, 90_001) };

await uncached.close();
await server.close();
await double.close();
await database.close();

const row = (label: string, r: { p50: number; p99: number }, baseline?: { p50: number }) =>
  `| ${label} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${baseline ? `${(r.p50 - baseline.p50).toFixed(2)} ms` : ''} |`;
console.log(
  `\nMirror overhead over the inference server on ${url ? 'Postgres' : 'PGlite'} (${REQUESTS} sequential requests each, over HTTP on localhost)\n`,
);
console.log('| request | p50 | p99 | mirror overhead at p50 |');
console.log('| --- | ---: | ---: | ---: |');
console.log(row(`inference server directly: /v1/activation/all, ${NUM_RESULTS} results`, searchDirect));
console.log(
  row(`mirror: /api/search-all, ${NUM_RESULTS} results joined with features read from the database`, searchUncached, searchDirect),
);
console.log(row(`mirror: /api/search-all, ${NUM_RESULTS} results joined with features from the feature cache`, searchMirror, searchDirect));
console.log(row('inference server directly: /v1/steer/completion, STEERED and DEFAULT in parallel', steerDirect));
console.log(
  row(
    `mirror: /api/steer, cache miss, FEATURE_CACHE_SIZE=0 (access checks read the database; ${steerQueries.uncached} queries)`,
    steerUncached,
    steerDirect,
  ),
);
console.log(
  row(`mirror: /api/steer, cache miss, access data from the feature cache (${steerQueries.cached} queries)`, steerMirror, steerDirect),
);
console.log(row('mirror: /api/steer, cache hit (answered from the saved outputs, no inference call)', steerCached, steerDirect));
console.log(
  `\nSteering: the mirror's overhead over calling the inference server directly (${steerDirect.p50.toFixed(2)} ms p50), goal under 5 ms p50:` +
    `\n  cache miss: ${(steerMirror.p50 - steerDirect.p50).toFixed(2)} ms (${steerMirror.p50.toFixed(2)} ms p50, ${steerQueries.cached} queries)` +
    `\n  cache miss, FEATURE_CACHE_SIZE=0: ${(steerUncached.p50 - steerDirect.p50).toFixed(2)} ms (${steerUncached.p50.toFixed(2)} ms p50, ${steerQueries.uncached} queries)` +
    `\n  cache hit: ${(steerCached.p50 - steerDirect.p50).toFixed(2)} ms (${steerCached.p50.toFixed(2)} ms p50 for the whole answer; no inference call)`,
);
