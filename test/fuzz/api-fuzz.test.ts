// Schema-driven fuzzing of every route in the served OpenAPI document (issue 12's permanent
// defence): malformed paths, queries, bodies, content types and auth headers, as a user and
// anonymously, through `inject` and, for what inject would normalise, over a real socket.
// Every answer must be under 500 (model-service routes may say 502/503/504 with their codes), an
// `{error, message, code}` JSON body when it is an error, a refusal for NUL, lone surrogates and
// non-finite numbers; the server must stay healthy, and whatever a write accepted must read back.
// The run is deterministic (FUZZ_SEED, default 12); FUZZ_LOG_LEVEL=error shows the server's log.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import app from '../../src/app.js';
import { explanationModelType, explanationType } from '../../src/db/schema/index.js';
import { serverOptions } from '../../src/options.js';
import { rawHttpBytes as rawRequest, rawRequest as sendRaw } from '../fixtures/raw-http.js';
import { seedSource } from '../fixtures/seed.js';
import { userWithKey } from '../fixtures/users.js';
import { openTestDatabase, testConfig } from '../helper.js';
import { SEEDED, type Fixtures, type FuzzCase, type MustReject, type OpenApiDocument } from './case-types.js';
import { generateCases, modelServiceRoutes } from './cases.js';
import { formatReport, logGist } from './report.js';
import { excerpt, judge, type Answer, type Failure } from './verdict.js';

const SEED = Number(process.env.FUZZ_SEED ?? 12);
/** Share of the non-core mutations each run sends (FUZZ_SHARE=1: all of them, several minutes). */
const EXTENDED_SHARE = Number(process.env.FUZZ_SHARE ?? 0.15);
/** Routes that store what they are given: an accepted request is followed by reads of what it touched. */
const WRITE_ROUTES = new Set([
  'POST /api/feature/upload-batch',
  'POST /api/upload/dashboard',
  'POST /api/activation/upload-batch',
  'POST /api/vector/new',
  'POST /api/upload/vector',
  'POST /api/model/new',
  'POST /api/source-set/new',
  'POST /api/list/new',
  'POST /api/list/add-features',
]);

let fastify: FastifyInstance;
let close: () => Promise<void>;
let fixtures: Fixtures;
let document: OpenApiDocument;
const logs: string[] = [];

beforeAll(async () => {
  const { database, drop } = await openTestDatabase();
  // Rate limits off: thousands of requests to the steering routes must reach their handlers.
  const config = testConfig({
    BODY_LIMIT_BYTES: String(1024 * 1024),
    RATE_LIMITS:
      'steer=off,search-all=off,search-topk=off,activation-new=off,explanation-generate=off,explanation-score=off,saelens-latent-decoder=off',
    // Nothing listens there: latent-decoder requests that pass validation fail fast, never reaching the real hub.
    HF_ENDPOINT: 'http://127.0.0.1:9',
  });
  // As test/helper.ts builds it, with the error log kept so each failure can show its cause.
  const level = process.env.FUZZ_LOG_LEVEL ?? 'error';
  fastify = Fastify({
    ...serverOptions(config),
    logger: { level, stream: { write: (line: string) => (process.env.FUZZ_LOG_LEVEL ? process.stderr.write(line) : logs.push(line)) } },
  });
  await fastify.register(app, { config, database });
  await fastify.ready();
  close = async () => {
    await fastify.close();
    await drop();
  };

  const db = database.db;
  await seedSource(db, { features: 3 });
  const now = new Date();
  await db.insert(explanationType).values(
    ['np_max-act-logits', 'eleuther_acts_top20'].map((name) => ({
      name,
      displayName: 'x',
      description: 'x',
      creatorName: 'x',
      creatorId: 'x',
      createdAt: now,
      updatedAt: now,
    })),
  );
  await db
    .insert(explanationModelType)
    .values({ name: 'gpt-4o-mini', displayName: 'x', description: 'x', creatorName: 'x', createdAt: now, updatedAt: now });
  const user = await userWithKey(db, 'fuzz-user');
  const admin = await userWithKey(db, 'fuzz-admin', true);
  const post = async (url: string, payload: object) => {
    const res = await fastify.inject({ method: 'POST', url, payload, headers: { 'x-api-key': user.key } });
    if (res.statusCode !== 200) throw new Error(`fixture ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await post('/api/model/new', { id: 'fuzz-model', layers: 2, dimension: 4, visibility: 'PUBLIC' });
  await post('/api/source-set/new', { name: 'fuzzset', modelId: 'fuzz-model', visibility: 'PUBLIC' });
  const newVector = async () => {
    const { vector } = await post('/api/vector/new', {
      modelId: 'fuzz-model',
      layerNumber: 1,
      hookType: 'hook_resid_pre',
      vector: [1, 2, 3, 4],
      vectorDefaultSteerStrength: 10,
      vectorLabel: 'fuzz',
      visibility: 'PUBLIC',
    });
    return { modelId: vector.modelId as string, source: vector.source as string, index: String(vector.index) };
  };
  fixtures = {
    userKey: user.key,
    adminKey: admin.key,
    ownModel: 'fuzz-model',
    ownSource: '0-fuzzset',
    vector: await newVector(),
    spareVector: await newVector(),
    listId: (await post('/api/list/new', { name: 'fuzz' })).id,
    spareListId: (await post('/api/list/new', { name: 'spare' })).id,
    explanationId: `exp-${SEEDED.modelId}-${SEEDED.layer}-0-b`,
  };
  document = (await fastify.inject({ method: 'GET', url: '/api/openapi.json' })).json();
});
afterAll(() => close?.());

/** Routes whose baseline names a row the fixtures do not hold (no stored steer output; no explanation or score of the user's to delete; no head data in exports; no graph). */
const BASELINE_404: Record<string, number[]> = {
  'POST /api/steer-load': [404],
  'POST /api/explanation/{explanationId}/delete': [404],
  'POST /api/explanation/score/{explanationScoreId}/delete': [404],
  'POST /api/model/head-metrics/get': [404],
  // No graph is uploaded in the fixtures: saving, deleting and subgraphs name none.
  'POST /api/graph/save-to-db': [404],
  'POST /api/graph/delete': [404],
  'POST /api/graph/subgraph/save': [404],
  'POST /api/graph/subgraph/delete': [404],
  // The list is empty unless list/add-features' baseline ran first.
  'POST /api/list/edit-feature': [200, 404],
};

type FeatureKey = { modelId: string; layer: string; index: string };

/** Features a write request names, read from the bytes that were sent. */
function touchedFeatures(fuzz: FuzzCase, responseBody: string): FeatureKey[] {
  const payload = fuzz.request.payload?.toString() ?? '';
  const parse = (text: string): Record<string, unknown> | undefined => {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const key = (modelId: unknown, layer: unknown, index: unknown): FeatureKey[] =>
    typeof modelId === 'string' && typeof layer === 'string' && (typeof index === 'number' || typeof index === 'string')
      ? [{ modelId, layer, index: String(index) }]
      : [];
  const path = fuzz.route.split(' ')[1];
  if (path === '/api/vector/new' || path === '/api/upload/vector') {
    const vector = parse(responseBody)?.vector as Record<string, unknown> | undefined;
    return key(vector?.modelId, vector?.source, vector?.index);
  }
  if (path === '/api/activation/upload-batch') {
    const body = parse(payload);
    return key(body?.modelId, body?.source, body?.index);
  }
  if (path === '/api/feature/upload-batch' || path === '/api/upload/dashboard') {
    const isNdjson = /ndjson/.test(fuzz.request.headers['content-type'] ?? '');
    const lines = isNdjson ? payload.split(/\r?\n/).filter((l) => l.trim()) : [];
    const header = isNdjson ? parse(lines[0] ?? '') : parse(payload);
    const features = isNdjson
      ? lines.slice(1).map(parse)
      : Array.isArray(header?.features)
        ? (header.features as Array<Record<string, unknown>>)
        : [];
    return features.slice(0, 3).flatMap((feature) => key(header?.modelId, header?.source, feature?.index));
  }
  return [];
}

/** Features whose reads already failed: later writes are not blamed for them again. */
const poisoned = new Set<string>();

/** Reads back what an accepted write touched: each feature, a batch of them, the catalog. */
async function readBack(fuzz: FuzzCase, responseBody: string): Promise<Array<{ what: string; status: number; body: string }>> {
  const headers = { 'x-api-key': fixtures.userKey };
  const touched = touchedFeatures(fuzz, responseBody).filter((f) => !poisoned.has(JSON.stringify(f)));
  const bad: Array<{ what: string; status: number; body: string }> = [];
  for (const feature of touched) {
    const url = `/api/feature/${[feature.modelId, feature.layer, feature.index].map(encodeURIComponent).join('/')}`;
    const res = await fastify.inject({ method: 'GET', url, headers });
    if (res.statusCode !== 200) {
      poisoned.add(JSON.stringify(feature));
      bad.push({ what: `GET ${url}`, status: res.statusCode, body: res.body });
    }
  }
  const batch = [
    ...touched.filter((f) => !poisoned.has(JSON.stringify(f))),
    { modelId: SEEDED.modelId, layer: SEEDED.layer, index: String(SEEDED.index) },
  ];
  const features = await fastify.inject({ method: 'POST', url: '/api/features', headers, payload: batch });
  if (features.statusCode !== 200)
    bad.push({ what: `POST /api/features ${JSON.stringify(batch).slice(0, 120)}`, status: features.statusCode, body: features.body });
  const models = await fastify.inject({ method: 'GET', url: '/api/models', headers });
  if (models.statusCode !== 200) bad.push({ what: 'GET /api/models', status: models.statusCode, body: models.body });
  const list = await fastify.inject({ method: 'POST', url: '/api/list/get', headers, payload: { listId: fixtures.listId } });
  if (list.statusCode !== 200) bad.push({ what: 'POST /api/list/get', status: list.statusCode, body: list.body });
  return bad;
}

async function healthy(): Promise<boolean> {
  const res = await fastify.inject({ method: 'GET', url: '/health' });
  return res.statusCode === 200;
}

describe('fuzzing every route of openapi.json', () => {
  it('baselines reach the handlers (so the mutations test more than validation)', async () => {
    const cases = generateCases(document, fixtures, { seed: SEED, extendedShare: 0, anonymousShare: 0 }).filter(
      (c) => c.auth !== 'anon' && (c.mutation === 'baseline' || c.mutation === 'ndjson:baseline'),
    );
    const services = modelServiceRoutes(document);
    const answers = new Map<string, number>();
    for (const fuzz of cases)
      answers.set(
        `${fuzz.route}${fuzz.mutation === 'ndjson:baseline' ? ' (ndjson)' : ''}`,
        (await fastify.inject(fuzz.request)).statusCode,
      );
    // Every route whose baseline went wrong, at once.
    const wrong: string[] = [];
    for (const [route, status] of answers) {
      // Model-service routes answer 503 here: the test app has no model services configured.
      // Some baselines name nothing the fixtures hold: their 404 comes from the database lookup.
      const expected = services.has(route.replace(' (ndjson)', '')) ? [200, 404, 503] : (BASELINE_404[route] ?? [200]);
      if (!expected.includes(status)) wrong.push(`${route} baseline answered ${status}, expected ${expected.join(' or ')}`);
    }
    expect(wrong).toEqual([]);
    expect(answers.size).toBeGreaterThan(35);
  });

  it('answers every malformed request through inject with 4xx JSON, stays healthy, and reads back every write', async () => {
    const cases = generateCases(document, fixtures, { seed: SEED, extendedShare: EXTENDED_SHARE, anonymousShare: 0.25 });
    const services = modelServiceRoutes(document);
    const failures: Failure[] = [];
    const started = Date.now();
    for (const fuzz of cases) {
      logs.length = 0;
      let answer: Answer;
      try {
        const res = await fastify.inject(fuzz.request);
        answer = { status: res.statusCode, headers: res.headers, body: res.rawPayload };
      } catch (error) {
        failures.push({
          route: fuzz.route,
          mutation: fuzz.mutation,
          target: fuzz.target,
          auth: fuzz.auth,
          status: 0,
          problem: 'inject threw',
          excerpt: String(error),
        });
        continue;
      }
      const write = WRITE_ROUTES.has(fuzz.route);
      const record = (problem: string, status: number, body: string) =>
        failures.push({
          route: fuzz.route,
          mutation: fuzz.mutation,
          target: fuzz.target,
          auth: fuzz.auth,
          status,
          problem,
          excerpt: excerpt(body),
          log: logGist(logs),
        });
      for (const problem of judge(fuzz, answer, { modelService: services.has(fuzz.route), write }))
        record(problem, answer.status, answer.body.toString('utf8'));
      if (write && answer.status < 300) {
        for (const bad of await readBack(fuzz, answer.body.toString('utf8')))
          record(`read-back after accepted write: ${bad.what} → ${bad.status}`, bad.status, bad.body);
      }
      if (!(await healthy())) {
        record('server unhealthy afterwards', answer.status, '');
        break;
      }
    }
    const report = formatReport(failures, cases.length);
    console.log(
      `fuzz: ${cases.length} requests (seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s on ${process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'}`,
    );
    if (failures.length > 0) console.log(report);
    expect(failures, report).toHaveLength(0);
  }, 600_000);

  it('answers encoded paths, absolute-form targets and raw header bytes over a real socket', async () => {
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as AddressInfo;
    const key = fixtures.userKey;
    const get = (target: string, headers: Array<[string, string]> = []) => rawRequest('GET', target, headers);
    const json: Array<[string, string]> = [
      ['Content-Type', 'application/json'],
      ['x-api-key', key],
    ];
    const socketCases: Array<[name: string, route: string, request: Buffer, mustReject?: MustReject]> = [
      ['path:nul', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2-small/6-res-jb/%00'), 'nul'],
      ['path:nul-in-model', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2%00small/6-res-jb/0'), 'nul'],
      ['path:surrogate-utf8', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2-small/%ED%A0%80/0'), 'surrogate'],
      ['path:overlong-dots', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/%C0%AE%C0%AE/6-res-jb/0')],
      ['path:dot-dot-slash', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2-small/..%2F..%2Fhealth/0')],
      ['path:raw-dot-dot', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2-small/6-res-jb/../../models')],
      ['path:encoded-slash', 'GET /api/source-set/{modelId}/{name}', get('/api/source-set/gpt2-small/%2F')],
      ['path:invalid-utf8', 'GET /api/source-set/{modelId}/{name}', get('/api/source-set/%FF/res-jb')],
      ['path:bad-escape', 'GET /api/feature/{modelId}/{layer}/{index}', get('/api/feature/gpt2-small/6-res-jb/%')],
      ['path:long', 'GET /api/feature/{modelId}/{layer}/{index}', get(`/api/feature/${'a'.repeat(5000)}/6-res-jb/0`)],
      ['path:encoded-api', 'GET /api/feature/{modelId}/{layer}/{index}', get('/%61pi/feature/gpt2-small/6-res-jb/%00')],
      ['query:nul', 'GET /api/models', get('/api/models?x=%00&y=%ED%A0%80')],
      [
        'target:absolute-form',
        'GET /api/feature/{modelId}/{layer}/{index}',
        get('http://mirror.test/api/feature/gpt2-small/6-res-jb/%00'),
        'nul',
      ],
      ['target:asterisk', 'GET /api/models', get('*')],
      ['header:latin1-key', 'GET /api/models', get('/api/models', [['x-api-key', '\xff\xfe']])],
      ['header:nul-byte', 'GET /api/models', get('/api/models', [['x-api-key', 'a\x00b']])],
      ['header:too-large', 'GET /api/models', get('/api/models', [['x-junk', 'j'.repeat(20_000)]])],
      [
        'body:cesu-surrogate',
        'POST /api/list/new',
        rawRequest(
          'POST',
          '/api/list/new',
          json,
          Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
        ),
        'surrogate',
      ],
      [
        'body:text-plain',
        'POST /api/upload/dashboard',
        rawRequest(
          'POST',
          '/api/upload/dashboard',
          [
            ['Content-Type', 'text/plain'],
            ['x-api-key', key],
          ],
          '{"modelId":"fuzz-model","source":"0-fuzzset","features":[]}',
        ),
      ],
      [
        'body:bad-chunking',
        'POST /api/steer',
        rawRequest('POST', '/api/steer', [...json, ['Transfer-Encoding', 'chunked']], 'zz\r\n{}\r\n0\r\n\r\n'),
      ],
      [
        'body:short-content-length',
        'POST /api/list/new',
        rawRequest('POST', '/api/list/new', [...json, ['Content-Length', '5']], '{"name":"x"}'),
      ],
    ];
    const failures: Failure[] = [];
    for (const [mutation, route, request, mustReject] of socketCases) {
      logs.length = 0;
      let res: Awaited<ReturnType<typeof sendRaw>>;
      try {
        res = await sendRaw(port, request);
      } catch (error) {
        failures.push({
          route,
          mutation,
          target: 'socket',
          auth: 'raw',
          status: 0,
          problem: 'no answer',
          excerpt: (error as Error).message,
          log: logGist(logs),
        });
        continue;
      }
      const fuzz: FuzzCase = {
        route,
        mutation,
        target: 'socket',
        auth: 'custom',
        request: { method: '', url: '', headers: {} },
        mustReject,
      };
      for (const problem of judge(
        fuzz,
        { status: res.status, headers: res.headers, body: Buffer.from(res.body) },
        { modelService: false, write: false },
      )) {
        failures.push({
          route,
          mutation,
          target: 'socket',
          auth: 'raw',
          status: res.status,
          problem,
          excerpt: excerpt(res.body),
          log: logGist(logs),
        });
      }
      const health = await sendRaw(port, rawRequest('GET', '/health'));
      if (health.status !== 200)
        failures.push({
          route,
          mutation,
          target: 'socket',
          auth: 'raw',
          status: health.status,
          problem: 'server unhealthy afterwards',
          excerpt: excerpt(health.body),
        });
    }
    const report = formatReport(failures, socketCases.length);
    if (failures.length > 0) console.log(report);
    expect(failures, report).toHaveLength(0);
  });
});
