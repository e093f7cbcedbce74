// Per-caller limits per endpoint group, counted in Postgres, with fake time.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setUserRateLimit } from '../src/db/queries/users.js';
import { checkDeclaredGroup, configureGroups, groupsForPath, groupsForRoute } from '../src/services/rate-limit/groups.js';
import { buildTestApp, type TestContext } from './helper.js';
import { userWithKey } from './fixtures/users.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
let admin: Awaited<ReturnType<typeof userWithKey>>;

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMITS: 'api=1000' });
  alice = await userWithKey(ctx.database.db, 'alice');
  bob = await userWithKey(ctx.database.db, 'bob');
  admin = await userWithKey(ctx.database.db, 'root', true);
});
afterAll(() => ctx?.close());
afterEach(() => vi.useRealTimers());

const steer = (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
  ctx.app.inject({ method: 'POST', url: '/api/steer/', headers, remoteAddress, payload: {} });

describe('groups', () => {
  it("are the route's declared group, then api for every /api route", () => {
    expect(groupsForRoute('/api/steer', 'steer')).toEqual(['steer', 'api']);
    expect(groupsForRoute('/api/steer-load', undefined)).toEqual(['api']);
    expect(groupsForRoute('/api/feature/:modelId/:layer/:index', undefined)).toEqual(['api']);
    expect(groupsForRoute('/health', undefined)).toEqual([]);
    expect(groupsForRoute(undefined, undefined)).toEqual([]); // no route: a 404 costs nothing
  });

  it('must be known when a route declares one', () => {
    expect(() => checkDeclaredGroup('/api/steer', 'stere')).toThrow(/\/api\/steer declares an unknown rate-limit group "stere"/);
    expect(() => checkDeclaredGroup('/api/steer', 'steer')).not.toThrow();
    expect(() => checkDeclaredGroup('/api/models', undefined)).not.toThrow();
  });

  it('list their paths as the real server does, trailing slash and case ignored', () => {
    expect(groupsForPath('/api/steer')).toEqual(['steer', 'api']);
    expect(groupsForPath('/api/Steer-Chat/')).toEqual(['steer', 'api']);
    expect(groupsForPath('/api/steer-load')).toEqual(['api']);
    expect(groupsForPath('/api/search')).toEqual(['search-all', 'api']);
    expect(groupsForPath('/api/score-type/eleuther_fuzz')).toEqual(['explanation-score', 'api']);
    expect(groupsForPath('/health')).toEqual([]);
  });

  it('are configured by RATE_LIMITS', () => {
    const groups = configureGroups('steer=5, search-all=off');
    expect(groups.steer!.limit).toBe(5);
    expect(groups['search-all']!.limit).toBeNull();
    expect(() => configureGroups('nope=1')).toThrow(/unknown group "nope"/);
    expect(() => configureGroups('steer=lots')).toThrow(/steer=<requests per window>/);
  });
});

describe('steering: 100 an hour per user', () => {
  it('refuses the 101st in an hour with the real body and headers, then frees up with the next window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const headers = { 'x-api-key': alice.key };
    for (let i = 1; i <= 100; i++) {
      const res = await steer(headers);
      expect(res.statusCode, `request ${i}`).not.toBe(429); // 400 (empty body): the limit is counted before validation
      if (i === 1) {
        expect(res.headers['x-ratelimit-limit']).toBe('100');
        expect(res.headers['x-ratelimit-remaining']).toBe('99');
        expect(res.headers['x-ratelimit-reset']).toBe('3600');
      }
    }
    vi.setSystemTime(new Date('2026-01-01T10:45:00Z'));
    const refused = await steer(headers);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('900');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.json()).toMatchObject({
      endpoint: '/api/steer',
      limitPerWindow: 100,
      requestWindow: '60 m',
      remainingRequests: 0,
      code: 'RATE_LIMITED',
    });
    expect(refused.json().error).toMatch(
      /^Rate limit exceeded for this endpoint. The limit for this endpoint \(\/api\/steer\) is 100 requests per 60 m\./,
    );
    expect(refused.json().message).toBe(refused.json().error);

    // Someone else is not affected; steer-chat shares the group.
    expect((await steer({ 'x-api-key': bob.key })).statusCode).not.toBe(429);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/steer-chat', headers, payload: {} })).statusCode).toBe(429);

    vi.setSystemTime(new Date('2026-01-01T11:00:01Z'));
    const next = await steer(headers);
    expect(next.statusCode).not.toBe(429);
    expect(next.headers['x-ratelimit-remaining']).toBe('99');
  });

  it('counts anonymous callers per client IP', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-02-01T10:00:00Z'));
    for (let i = 0; i < 100; i++) await steer({}, '10.0.0.1');
    expect((await steer({}, '10.0.0.1')).statusCode).toBe(429);
    expect((await steer({}, '10.0.0.2')).statusCode).not.toBe(429);
  });

  it('does not limit admins, and gives a user with a raised limit their own number', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    for (let i = 0; i < 105; i++) expect((await steer({ 'x-api-key': admin.key })).statusCode).not.toBe(429);
    await setUserRateLimit(ctx.database.db, bob.user.id, 'steer', 3);
    ctx.app.keyVerifier.clear();
    for (let i = 0; i < 3; i++) expect((await steer({ 'x-api-key': bob.key })).headers['x-ratelimit-limit']).toBe('3');
    expect((await steer({ 'x-api-key': bob.key })).statusCode).toBe(429);
  });

  it('leaves unlimited groups alone: no headers, no counting', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('client IP behind a proxy', () => {
  it('uses X-Forwarded-For only when TRUST_PROXY is set', async () => {
    for (const trust of ['true', 'false']) {
      const app = await buildTestApp({ RATE_LIMITS: 'steer=2', TRUST_PROXY: trust });
      try {
        const from = (ip: string) => app.app.inject({ method: 'POST', url: '/api/steer', payload: {}, headers: { 'x-forwarded-for': ip } });
        await from('203.0.113.1');
        await from('203.0.113.1');
        const third = await from('203.0.113.2'); // another client behind the proxy
        expect(third.statusCode === 429, `TRUST_PROXY=${trust}`).toBe(trust === 'false');
      } finally {
        await app.close();
      }
    }
  });
});
