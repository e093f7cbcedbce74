// API keys on requests: both headers, anonymous reads, and 401 for any credential that is not one
// valid key (issue 12, finding 9: a second, wrong or malformed credential used to be ignored).
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, looksLikeApiKey } from '../src/services/auth/api-keys.js';
import { credentialsFromRawHeaders } from '../src/http/credentials.js';
import { revokeApiKey } from '../src/db/queries/users.js';
import { apiKey } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { rawHttpRequest, rawRequest } from './fixtures/raw-http.js';
import { userWithKey } from './fixtures/users.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
const feature = (headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: '/api/feature/secret-model/0-priv/0', headers });

beforeAll(async () => {
  ctx = await buildTestApp();
  alice = await userWithKey(ctx.database.db, 'alice');
  await seedSource(ctx.database.db, {
    modelId: 'secret-model',
    setName: 'priv',
    layerNumber: 0,
    visibility: 'PRIVATE',
    creatorId: alice.user.id,
    features: 1,
  });
});
afterAll(() => ctx?.close());

describe('API keys', () => {
  it('have the real shape and are stored only as a hash', async () => {
    expect(alice.key).toMatch(/^sk-np-[A-Za-z0-9]{44}$/);
    expect(looksLikeApiKey(generateApiKey())).toBe(true);
    const [row] = await ctx.database.db.select().from(apiKey).where(eq(apiKey.id, alice.keyId));
    expect(row!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(alice.key);
    expect(row!.prefix).toBe(alice.key.slice(0, 12));
  });

  it('are read from every x-api-key and Authorization: Bearer header', () => {
    expect(credentialsFromRawHeaders([])).toEqual({ kind: 'none' });
    expect(credentialsFromRawHeaders(['Host', 'x'])).toEqual({ kind: 'none' });
    expect(credentialsFromRawHeaders(['X-Api-Key', ' k1 '])).toEqual({ kind: 'key', key: 'k1' });
    expect(credentialsFromRawHeaders(['authorization', 'bearer  k2'])).toEqual({ kind: 'key', key: 'k2' });
    expect(credentialsFromRawHeaders(['x-api-key', 'k3', 'Authorization', 'Bearer k3', 'x-api-key', 'k3'])).toEqual({
      kind: 'key',
      key: 'k3',
    });
    expect(credentialsFromRawHeaders(['x-api-key', 'k1', 'authorization', 'Bearer k2'])).toEqual({
      kind: 'invalid',
      reason: 'conflicting',
    });
    expect(credentialsFromRawHeaders(['authorization', 'Bearer k1', 'authorization', 'Bearer k2'])).toEqual({
      kind: 'invalid',
      reason: 'conflicting',
    });
    expect(credentialsFromRawHeaders(['x-api-key', ''])).toEqual({ kind: 'invalid', reason: 'empty-x-api-key' });
    for (const value of ['Basic abc', 'Bearer', 'Bearer ', 'BearerKEY', 'sk-np-abc', 'Bearer a b', ''])
      expect(credentialsFromRawHeaders(['authorization', value]), value).toEqual({ kind: 'invalid', reason: 'not-bearer' });
  });

  it('work through x-api-key or Authorization: Bearer, case-insensitively, or the same key in both', async () => {
    for (const headers of [
      { 'x-api-key': alice.key },
      { 'X-API-KEY': alice.key },
      { authorization: `Bearer ${alice.key}` },
      { Authorization: `bearer ${alice.key}` },
      { 'x-api-key': alice.key, authorization: `Bearer ${alice.key}` },
    ] as Array<Record<string, string>>) {
      const res = await feature(headers);
      expect(res.statusCode, JSON.stringify(Object.keys(headers))).toBe(200);
    }
  });

  it('lets anonymous callers read public data but not private data', async () => {
    const res = await feature();
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it.each([
    ['a malformed key', 'hello', /is not a valid API key/],
    ['an unknown key', generateApiKey(), /was not recognised/],
  ])('answers 401 for %s, on every route', async (_name, key, message) => {
    for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
      const res = await feature(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_API_KEY' });
      expect(res.json().error).toMatch(message);
      const health = await ctx.app.inject({ method: 'GET', url: '/api/models', headers });
      expect(health.statusCode).toBe(401);
    }
  });

  it('answers 401 for a revoked key', async () => {
    const bob = await userWithKey(ctx.database.db, 'bob');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': bob.key } })).statusCode).toBe(200);
    await revokeApiKey(ctx.database.db, bob.keyId);
    ctx.app.keyVerifier.clear(); // another process would see it within KEY_CACHE_TTL_MS
    const res = await ctx.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': bob.key } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/has been revoked/);
  });

  it('answers 401 when a valid key comes with any other credential, naming the problem', async () => {
    const bob = await userWithKey(ctx.database.db, 'bob2');
    const revoked = await userWithKey(ctx.database.db, 'dave');
    await revokeApiKey(ctx.database.db, revoked.keyId);
    ctx.app.keyVerifier.clear();
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['valid x-api-key, unknown Bearer', { 'x-api-key': alice.key, authorization: `Bearer ${generateApiKey()}` }, /different API keys/],
      ['valid x-api-key, revoked Bearer', { 'x-api-key': alice.key, authorization: `Bearer ${revoked.key}` }, /different API keys/],
      ['two valid keys of different users', { 'x-api-key': alice.key, authorization: `Bearer ${bob.key}` }, /different API keys/],
      ['valid Bearer, unknown x-api-key', { 'x-api-key': generateApiKey(), authorization: `Bearer ${alice.key}` }, /different API keys/],
      ['a bare key in Authorization', { authorization: alice.key }, /must be "Bearer <API key>"/],
      ['Basic credentials', { authorization: 'Basic YWxpY2U6c2VjcmV0' }, /must be "Bearer <API key>"/],
      ['Bearer alone', { authorization: 'Bearer' }, /must be "Bearer <API key>"/],
      ['Bearer run into the key', { authorization: `Bearer${alice.key}` }, /must be "Bearer <API key>"/],
      [
        'a valid x-api-key and a Basic Authorization',
        { 'x-api-key': alice.key, authorization: 'Basic YWxpY2U6c2VjcmV0' },
        /must be "Bearer <API key>"/,
      ],
      ['an empty x-api-key', { 'x-api-key': '' }, /x-api-key header is empty/],
      ['an empty x-api-key beside a valid Bearer', { 'x-api-key': '', authorization: `Bearer ${alice.key}` }, /x-api-key header is empty/],
    ];
    for (const [name, headers, message] of cases) {
      const res = await feature(headers);
      expect(res.statusCode, name).toBe(401);
      expect(res.json().code, name).toBe('INVALID_API_KEY');
      expect(res.json().error, name).toMatch(message);
      expect(res.json().error, name).toContain('npm run key -- create <user>');
      expect(res.headers['www-authenticate'], name).toBe('Bearer realm="neuronpedia-mirror", error="invalid_token"');
    }
  });

  describe('repeated headers, over a real socket', () => {
    // Node keeps only the first of two Authorization headers and joins two x-api-key values with
    // ", ", so these cases exist only on the wire.
    let port = 0;
    beforeAll(async () => {
      await ctx.app.listen({ host: '127.0.0.1', port: 0 });
      port = (ctx.app.server.address() as AddressInfo).port;
    });
    const get = (headers: Array<[string, string]>) =>
      rawRequest(port, rawHttpRequest('GET', '/api/feature/secret-model/0-priv/0', { headers }));

    it('answers 401 to two Authorization headers with different keys, whichever comes first', async () => {
      for (const headers of [
        [
          ['Authorization', `Bearer ${alice.key}`],
          ['Authorization', `Bearer ${generateApiKey()}`],
        ],
        [
          ['Authorization', `Bearer ${generateApiKey()}`],
          ['Authorization', `Bearer ${alice.key}`],
        ],
        [
          ['Authorization', `Bearer ${alice.key}`],
          ['Authorization', 'Basic YWxpY2U6c2VjcmV0'],
        ],
      ] as Array<Array<[string, string]>>) {
        const res = await get(headers);
        expect(res.status).toBe(401);
        expect(JSON.parse(res.body).code).toBe('INVALID_API_KEY');
      }
    });

    it('answers 401 to two x-api-key headers with different keys, and accepts the same key twice', async () => {
      const twoKeys = await get([
        ['x-api-key', alice.key],
        ['x-api-key', generateApiKey()],
      ]);
      expect(twoKeys.status).toBe(401);
      expect(JSON.parse(twoKeys.body).error).toMatch(/different API keys/);
      const sameKey = await get([
        ['x-api-key', alice.key],
        ['X-Api-Key', alice.key],
        ['Authorization', `Bearer ${alice.key}`],
      ]);
      expect(sameKey.status).toBe(200);
    });
  });

  it('records when a key was last used', async () => {
    const carol = await userWithKey(ctx.database.db, 'carol');
    await ctx.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': carol.key } });
    await expect
      .poll(async () => (await ctx.database.db.select().from(apiKey).where(eq(apiKey.id, carol.keyId)))[0]!.lastUsedAt)
      .toBeInstanceOf(Date);
  });
});
