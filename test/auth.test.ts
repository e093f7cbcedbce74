// API keys on requests: both headers, anonymous reads, and 401 for keys that are wrong.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFromHeaders, generateApiKey, looksLikeApiKey } from '../src/auth/api-keys.js';
import { revokeApiKey } from '../src/db/queries/users.js';
import { apiKey } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
const feature = (headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url: '/api/feature/secret-model/0-priv/0', headers });

beforeAll(async () => {
  ctx = await buildTestApp();
  alice = await userWithKey(ctx.database.db, 'alice');
  await seedSource(ctx.database.db, { modelId: 'secret-model', setName: 'priv', layerNumber: 0, visibility: 'PRIVATE', creatorId: alice.user.id, features: 1 });
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

  it('are read from x-api-key or Authorization: Bearer, case-insensitively', async () => {
    expect(apiKeyFromHeaders({ 'x-api-key': ' k1 ' })).toBe('k1');
    expect(apiKeyFromHeaders({ authorization: 'bearer k2' })).toBe('k2');
    expect(apiKeyFromHeaders({ authorization: 'Basic abc' })).toBeUndefined();
    expect(apiKeyFromHeaders({ 'x-api-key': '' })).toBeUndefined();
    for (const headers of [{ 'x-api-key': alice.key }, { 'X-API-KEY': alice.key }, { authorization: `Bearer ${alice.key}` }, { Authorization: `bearer ${alice.key}` }] as Array<Record<string, string>>) {
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

  it('records when a key was last used', async () => {
    const carol = await userWithKey(ctx.database.db, 'carol');
    await ctx.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': carol.key } });
    await expect.poll(async () => (await ctx.database.db.select().from(apiKey).where(eq(apiKey.id, carol.keyId)))[0]!.lastUsedAt).toBeInstanceOf(Date);
  });
});
