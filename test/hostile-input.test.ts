// What a hostile key holder sends, from the hardening review (issue 12): non-finite numbers, text
// no database can store, empty and mistyped bodies, writes that probe someone else's private
// things, searches that would list UNLISTED ones, and an upload that is one enormous line.
// Each case failed (500, a leak, or a crashed process) before its fix.
import { Readable } from 'node:stream';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, neuron } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { expectError } from './fixtures/error-body.js';
import { gzipMembers } from './fixtures/gzip.js';
import { userWithKey } from './fixtures/users.js';

const STREAM_LIMIT = 64 * 1024 * 1024;

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
let admin: Awaited<ReturnType<typeof userWithKey>>;

/** POST with a raw JSON text (so escapes like \u0000, \ud800 and 1e999 reach the server as sent). */
const postRaw = (url: string, text: string, key?: string, contentType = 'application/json') =>
  ctx.app.inject({ method: 'POST', url, payload: text, headers: { 'content-type': contentType, ...(key ? { 'x-api-key': key } : {}) } });
const post = (url: string, payload: unknown, key?: string) => postRaw(url, JSON.stringify(payload), key);

const feature = (index: number, values: string) =>
  `{"index":${index},"activations":[{"tokens":["a","b"],"values":${values}}],"topLogits":[{"token":"x","value":1}]}`;

beforeAll(async () => {
  ctx = await buildTestApp({ UPLOAD_STREAM_LIMIT_BYTES: String(STREAM_LIMIT) });
  const db = ctx.database.db;
  alice = await userWithKey(db, 'alice');
  bob = await userWithKey(db, 'bob');
  admin = await userWithKey(db, 'root', true);
  await seedSource(db, { features: 2 });
  // Alice's UNLISTED source, whose explanations say "secret otters".
  await seedSource(db, { modelId: 'alice-unlisted', features: 2, visibility: 'UNLISTED', creatorId: alice.user.id });
  await db.execute(sql`UPDATE "Explanation" SET "description" = 'secret otters ' || "index" WHERE "modelId" = 'alice-unlisted'`);
  // Alice's private model and source set, to upload into.
  expect((await post('/api/model/new', { id: 'alice-model', layers: 2 }, alice.key)).statusCode).toBe(200);
  expect((await post('/api/source-set/new', { name: 'alicescope', modelId: 'alice-model' }, alice.key)).statusCode).toBe(200);
});
afterAll(() => ctx?.close());

const storedFeatures = async (modelId: string) =>
  (await ctx.database.db.select({ n: count() }).from(neuron).where(eq(neuron.modelId, modelId)))[0]!.n;

describe('non-finite numbers (1e999 parses as Infinity)', () => {
  it('are refused at every write, naming the field, and nothing is stored', async () => {
    const batch = await postRaw(
      '/api/feature/upload-batch',
      `{"modelId":"alice-model","source":"0-alicescope","features":[${feature(1, '[1,1e999]')}]}`,
      alice.key,
    );
    expectError(batch, 400, 'VALIDATION_ERROR');
    expect(batch.json().message).toMatch(/^body\/features\/0\/activations\/0\/values\/1 must be number/);
    const logits = await postRaw(
      '/api/upload/dashboard',
      `{"modelId":"alice-model","source":"0-alicescope","features":[{"index":1,"activations":[{"tokens":["a"],"values":[1]}],"topLogits":[{"token":"x","value":-1e999}]}]}`,
      alice.key,
    );
    expectError(logits, 400, 'VALIDATION_ERROR');
    const ndjson = await postRaw(
      '/api/upload/dashboard',
      `{"modelId":"alice-model","source":"0-alicescope"}\n${feature(1, '[1,2]')}\n${feature(2, '[1e999,2]')}\n`,
      alice.key,
      'application/x-ndjson',
    );
    expectError(ndjson, 400, 'VALIDATION_ERROR');
    expect(ndjson.json().message).toMatch(/^line 3\/activations\/0\/values\/0/);
    const vector = await postRaw(
      '/api/vector/new',
      `{"modelId":"alice-model","layerNumber":0,"hookType":"hook_resid_pre","vector":[1,1e999],"vectorLabel":"v","vectorDefaultSteerStrength":null}`,
      alice.key,
    );
    expectError(vector, 400, 'VALIDATION_ERROR');
    expect(vector.json().message).toMatch(/^body\/vector\/1 must be number \(finite/);
    expect(await storedFeatures('alice-model')).toBe(0);
  });
});

describe('text no database can store', () => {
  it('NUL and lone surrogates in a body are a 400 naming the field, and nothing is stored', async () => {
    for (const name of ['"a\\u0000b"', '"\\ud800"', '"x\\udc00y"']) {
      const res = await postRaw('/api/list/new', `{"name":${name}}`, alice.key);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.json().message).toBe('body/name contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.');
    }
    // The bytes of a lone surrogate (ED A0 80) and other invalid UTF-8 are refused, not stored as U+FFFD.
    for (const bytes of [Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff, 0xfe])]) {
      const payload = Buffer.concat([Buffer.from('{"name":"cat'), bytes, Buffer.from('"}')]);
      const raw = await ctx.app.inject({
        method: 'POST',
        url: '/api/list/new',
        payload,
        headers: { 'content-type': 'application/json', 'x-api-key': alice.key },
      });
      expectError(raw, 400, 'INVALID_JSON');
      expect(raw.json().message).toBe('Request body is not valid UTF-8.');
      const ndjson = Buffer.concat([
        Buffer.from('{"modelId":"alice-model","source":"0-alicescope"}\n{"index":1,"activations":[{"tokens":["'),
        bytes,
        Buffer.from('"],"values":[1]}]}\n'),
      ]);
      const streamed = await ctx.app.inject({
        method: 'POST',
        url: '/api/upload/dashboard',
        payload: ndjson,
        headers: { 'content-type': 'application/x-ndjson', 'x-api-key': alice.key },
      });
      expectError(streamed, 400, 'INVALID_JSON');
      expect(streamed.json().message).toMatch(/^The upload is not valid UTF-8/);
    }
    // A well-formed pair (an emoji) is fine.
    expect((await postRaw('/api/list/new', '{"name":"\\ud83d\\ude00 list"}', alice.key)).statusCode).toBe(200);
    const nested = await postRaw('/api/features', '[{"modelId":"gpt2-small","layer":"6-res-jb","index":"0\\u0000"}]');
    expectError(nested, 400, 'VALIDATION_ERROR');
    expect(nested.json().message).toMatch(/^body\/0\/index contains a NUL/);
    const line = await postRaw(
      '/api/upload/dashboard',
      `{"modelId":"alice-model","source":"0-alicescope"}\n{"index":1,"activations":[{"tokens":["\\u0000"],"values":[1]}]}\n`,
      alice.key,
      'application/x-ndjson',
    );
    expectError(line, 400, 'VALIDATION_ERROR');
    expect(line.json().message).toMatch(/^line 2\/activations\/0\/tokens\/0 contains a NUL/);
    const lists = await ctx.database.db.select({ name: list.name }).from(list).where(eq(list.userId, alice.user.id));
    expect(lists.map((l) => l.name)).toEqual(['\u{1F600} list']);
  });

  it('in path parameters and query strings too', async () => {
    for (const url of [
      '/api/feature/gpt2-small/6-res-jb%00/1',
      '/api/feature/gpt2-small/6-res-jb/1%00',
      '/api/source-set/gpt2-small/res%00jb',
    ]) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.json().message).toMatch(/^params\/\w+ contains a NUL/);
    }
    // Percent-encoded UTF-8 of a lone surrogate is not valid UTF-8: never a 500.
    const surrogate = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb%ED%A0%80/1' });
    expect(surrogate.statusCode).toBeGreaterThanOrEqual(400);
    expect(surrogate.statusCode).toBeLessThan(500);
    expect(surrogate.json().code).toEqual(expect.any(String));
    const query = await ctx.app.inject({ method: 'GET', url: '/api/admin/import?location=%00', headers: { 'x-api-key': admin.key } });
    expectError(query, 400, 'VALIDATION_ERROR');
    expect(query.json().message).toMatch(/^querystring\/location contains a NUL/);
  });
});

describe('bodies that are empty or of the wrong kind', () => {
  it('list/add-features with no features is a 400, not a 500', async () => {
    const created = await post('/api/list/new', { name: 'empty adds' }, alice.key);
    const res = await post('/api/list/add-features', { listId: created.json().id, featuresToAdd: [] }, alice.key);
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.json().message).toMatch(/^body\/featuresToAdd must NOT have fewer than 1 items/);
  });

  it('upload/dashboard as text/plain is a 415 saying what to send', async () => {
    const res = await postRaw('/api/upload/dashboard', '{"modelId":"alice-model"}', alice.key, 'text/plain');
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.json().message).toMatch(/application\/json .* application\/x-ndjson/);
  });
});

describe("someone else's private things look exactly like missing ones, on write paths too", () => {
  const comparable = (res: { statusCode: number; body: string }) => ({ status: res.statusCode, body: res.body });

  it("uploads into another user's private source set", async () => {
    const into = (modelId: string, source: string) => ({
      modelId,
      source,
      features: [{ index: 1, activations: [{ tokens: ['a'], values: [1] }] }],
    });
    for (const url of ['/api/feature/upload-batch', '/api/upload/dashboard']) {
      const hidden = await post(url, into('alice-model', '0-alicescope'), bob.key);
      const missing = await post(url, into('alice-model', '0-nosuchscope'), bob.key);
      expect(hidden.statusCode).toBe(404);
      expect(comparable(hidden)).toEqual(comparable(missing));
      const noModel = await post(url, into('no-such-model', '0-alicescope'), bob.key);
      expect(comparable(hidden)).toEqual(comparable(noModel));
    }
    const ndjson = (modelId: string, source: string) =>
      postRaw(
        '/api/upload/dashboard',
        `{"modelId":"${modelId}","source":"${source}"}\n${feature(1, '[1,2]')}\n`,
        bob.key,
        'application/x-ndjson',
      );
    expect(comparable(await ndjson('alice-model', '0-alicescope'))).toEqual(comparable(await ndjson('alice-model', '0-nosuchscope')));
    expect(await storedFeatures('alice-model')).toBe(0);
  });

  it('activation/new on a private vector and on a missing index', async () => {
    const made = await post(
      '/api/vector/new',
      {
        modelId: 'gpt2-small',
        layerNumber: 6,
        hookType: 'hook_resid_pre',
        vector: Array.from({ length: 768 }, (_, i) => i / 768),
        vectorLabel: 'mine',
        vectorDefaultSteerStrength: null,
      },
      alice.key,
    );
    expect(made.statusCode).toBe(200);
    const { source, index } = made.json().vector;
    const ask = (i: string) =>
      post('/api/activation/new', { feature: { modelId: 'gpt2-small', source, index: i }, customText: 'hello' }, bob.key);
    const hidden = await ask(index);
    expect(hidden.statusCode).toBe(404);
    expect(comparable(hidden)).toEqual(comparable(await ask(String(Number(index) + 12345))));
  });

  it('model/new and source-set/new: a taken id answers the same whatever the visibility of its holder', async () => {
    const newModel = (id: string) => post('/api/model/new', { id, layers: 1 }, bob.key);
    const answers = await Promise.all(['gpt2-small', 'alice-unlisted', 'alice-model'].map(newModel)); // PUBLIC, UNLISTED, PRIVATE
    for (const res of answers) expect(comparable(res)).toEqual(comparable(answers[0]!));
    expectError(answers[0]!, 400, 'BAD_REQUEST');
    // A set name in a public model: alice's private set and a public one answer alike.
    await ctx.database.db.execute(
      sql`INSERT INTO "SourceSet" ("modelId", "name", "visibility", "description", "type", "creatorName", "creatorId", "urls") VALUES ('gpt2-small', 'alice-hidden', 'PRIVATE', 'x', 'Custom', 'alice', ${alice.user.id}, '{}')`,
    );
    const hiddenSet = await post('/api/source-set/new', { name: 'alice-hidden', modelId: 'gpt2-small' }, bob.key);
    const publicSet = await post('/api/source-set/new', { name: 'res-jb', modelId: 'gpt2-small' }, bob.key);
    expect(comparable(hiddenSet)).toEqual(comparable(publicSet));
    // Someone else's private model is as missing as a model that does not exist.
    const hiddenModel = await post('/api/source-set/new', { name: 'x', modelId: 'alice-model' }, bob.key);
    expect(comparable(hiddenModel)).toEqual(
      comparable(await post('/api/source-set/new', { name: 'x', modelId: 'no-such-model' }, bob.key)),
    );
  });
});

describe('UNLISTED data is readable by name, never listed', () => {
  it('explanation searches leave it out for everyone but its owner and admins', async () => {
    const search = async (url: string, body: object, key?: string) => {
      const res = await post(url, { query: 'secret otters', ...body }, key);
      expect(res.statusCode).toBe(200);
      return res.json().results.map((r: { modelId: string }) => r.modelId) as string[];
    };
    for (const key of [undefined, bob.key]) {
      expect(await search('/api/explanation/search-all', {}, key)).toEqual([]);
      expect(await search('/api/explanation/search-model', { modelId: 'alice-unlisted' }, key)).toEqual([]);
      expect(await search('/api/explanation/search', { modelId: 'alice-unlisted', layers: ['6-res-jb'] }, key)).toEqual([]);
    }
    const all = Array(4).fill('alice-unlisted'); // two features, two explanations each
    expect(await search('/api/explanation/search-all', {}, alice.key)).toEqual(all);
    expect(await search('/api/explanation/search-all', {}, admin.key)).toEqual(all);
    // Still readable by name.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/feature/alice-unlisted/6-res-jb/0' })).statusCode).toBe(200);
  });
});

/** Runs `work` while sampling this process's RSS; returns its result and the growth in bytes. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

describe('an upload that is one enormous line', () => {
  const upload = (body: Buffer) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/upload/dashboard',
      payload: Readable.from([body]),
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'x-api-key': alice.key },
    });

  it('is a 413 naming MAX_LINE_BYTES, with memory flat, and the server keeps serving', { timeout: 120_000 }, async () => {
    // ~600 MB of one letter on line 2 (past V8's longest string): a .gz of well under a megabyte.
    const bomb = gzipMembers([
      { data: '{"modelId":"alice-model","source":"0-alicescope"}\n{"index":1,"x":"' },
      { data: Buffer.alloc(1 << 20, 'a'), copies: 600 },
      { data: '"}\n' },
    ]);
    expect(bomb.length).toBeLessThan(2 << 20);
    const { result, growth } = await rssGrowth(() => upload(bomb));
    expectError(result, 413, 'PAYLOAD_TOO_LARGE');
    expect(result.json().message).toBe(`line 2 is longer than MAX_LINE_BYTES (${16 * 1024 * 1024} bytes).`);
    expect(growth).toBeLessThan(200 * 1024 * 1024);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/0' })).statusCode).toBe(200);
    expect(await storedFeatures('alice-model')).toBe(0);
  });

  it('past UPLOAD_STREAM_LIMIT_BYTES (counted after decompression) is a 413, not a 500', { timeout: 60_000 }, async () => {
    // 65 MiB of blank lines (1,024 lines of 1 KiB a copy) after the header.
    const blankLines = gzipMembers([
      { data: '{"modelId":"alice-model","source":"0-alicescope"}\n' },
      { data: (' '.repeat(1023) + '\n').repeat(1024), copies: STREAM_LIMIT / (1 << 20) + 1 },
    ]);
    const res = await upload(blankLines);
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.json().message).toMatch(/UPLOAD_STREAM_LIMIT_BYTES \(67108864 bytes, counted after decompression\)/);
  });

  it('a compressed JSON bomb to a JSON route is a 413 at BODY_LIMIT_BYTES, counted after decompression', async () => {
    const bomb = gzipMembers([
      { data: '[{"modelId":"' },
      { data: Buffer.alloc(1 << 20, 'a'), copies: 32 },
      { data: '","layer":"x","index":1}]' },
    ]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/features',
      payload: bomb,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body that is not gzip although it says so is a 400', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/upload/dashboard',
      payload: Buffer.from('this is not gzip'),
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'x-api-key': alice.key },
    });
    expectError(res, 400, 'BAD_REQUEST');
  });
});
