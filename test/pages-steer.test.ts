// The /steer page's own endpoint, POST /steer/run (issue 15): a signed-in user steers their private
// vector with the session cookie (which /api/steer ignores), streamed as /api/steer streams;
// anonymous callers and other users get the same 404 as for a missing feature; no CSRF token, 403;
// it counts in the steer group per user, together with /api/steer. And POST /sign-in is limited
// per client IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { model } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';

const MODEL = 'gpt2-small';
const SIGN_IN_LIMIT = 4;

describe('POST /steer/run and the sign-in limit', () => {
  let ctx: TestContext;
  let double: InferenceDouble;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let bob: Awaited<ReturnType<typeof userWithKey>>;
  let vector: { layer: string; index: string };
  const cookies: Record<string, string> = {};

  /** A session through the sign-in form, as a browser gets one. */
  async function signIn(key: string): Promise<string> {
    const form = await ctx.app.inject({ url: '/sign-in' });
    const csrfCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, key }).toString(),
    });
    expect(res.statusCode).toBe(303);
    return String(res.headers['set-cookie']).split(';')[0]!;
  }

  /** The /steer page's CSRF token and the cookies that go with it (the session, or the double-submit cookie). */
  async function steerPage(cookie?: string): Promise<{ csrf: string; cookie: string }> {
    const page = await ctx.app.inject({ url: '/steer', headers: cookie ? { cookie } : {} });
    expect(page.statusCode).toBe(200);
    const csrf = /id="steer-form"[^>]*data-csrf="([^"]+)"/.exec(page.body)![1]!;
    const set = page.headers['set-cookie'];
    return { csrf, cookie: cookie ?? String(set).split(';')[0]! };
  }

  const steerBody = (stream: boolean, strength = 3) => ({
    prompt: 'The weather today',
    modelId: MODEL,
    features: [{ modelId: MODEL, layer: vector.layer, index: vector.index, strength }],
    temperature: 0.5,
    n_tokens: 4,
    seed: 7,
    strength_multiplier: 1,
    stream,
  });

  const run = (body: object, headers: Record<string, string>) =>
    ctx.app.inject({ method: 'POST', url: '/steer/run', headers: { 'content-type': 'application/json', ...headers }, payload: body });

  beforeAll(async () => {
    double = await startInferenceDouble();
    ctx = await buildTestApp({
      INFERENCE_HOSTS: `*=${double.url}`,
      INFERENCE_SECRET: double.secret,
      RATE_LIMITS: `steer=50,sign-in=${SIGN_IN_LIMIT}`,
    });
    alice = await userWithKey(ctx.database.db, 'alice');
    bob = await userWithKey(ctx.database.db, 'bob');
    await seedSource(ctx.database.db, { features: 2 });
    await ctx.database.db.update(model).set({ dimension: 4 }).where(eq(model.id, MODEL));
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/vector/new',
      headers: { 'x-api-key': alice.key },
      payload: {
        modelId: MODEL,
        layerNumber: 1,
        hookType: 'hook_resid_pre',
        vector: [1, 2, 3, 4],
        vectorLabel: 'rain',
        vectorDefaultSteerStrength: 20,
      },
    });
    expect(created.statusCode).toBe(200);
    const [, , layer, index] = new URL(created.json().url).pathname.split('/');
    vector = { layer: layer!, index: index! };
    cookies.alice = await signIn(alice.key);
    cookies.bob = await signIn(bob.key);
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });

  it('the owner steers a private vector from the page: the same events as /api/steer, saved and shareable', async () => {
    const { csrf, cookie } = await steerPage(cookies.alice);
    const res = await run(steerBody(true), { cookie, 'x-csrf-token': csrf });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const frames = res.body
      .split('\n\n')
      .filter((f) => f.startsWith('data:'))
      .map((f) => JSON.parse(f.slice(5)));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const last = frames.at(-1);
    expect(typeof last.STEERED).toBe('string');
    expect(typeof last.DEFAULT).toBe('string');
    expect(last.id).toMatch(/^[a-z0-9]+$/);
    // The vector reached the inference server, and the saved result opens for its owner.
    const steerCall = double.requests.find((r) => r.path === '/v1/steer/completion' && Array.isArray(r.body.vectors));
    expect(steerCall).toBeDefined();
    const shared = await ctx.app.inject({ url: `/steer/${last.id}`, headers: { cookie } });
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toContain(`<div class="out" id="out-steered">${last.STEERED}</div>`);
    // Asked again as JSON: the API's cached answer, the same id.
    const again = await run(steerBody(false), { cookie, 'x-csrf-token': csrf });
    expect(again.json()).toMatchObject({ id: last.id, STEERED: last.STEERED });
  });

  it('anonymous callers and another user get the 404 of a missing feature', async () => {
    const anonymous = await steerPage();
    const missing = await run(
      { ...steerBody(true), features: [{ modelId: MODEL, layer: vector.layer, index: '999999', strength: 3 }] },
      { cookie: anonymous.cookie, 'x-csrf-token': anonymous.csrf },
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
    const asAnonymous = await run(steerBody(true), { cookie: anonymous.cookie, 'x-csrf-token': anonymous.csrf });
    const bobPage = await steerPage(cookies.bob);
    const asBob = await run(steerBody(true), { cookie: bobPage.cookie, 'x-csrf-token': bobPage.csrf });
    for (const res of [asAnonymous, asBob]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(missing.json());
    }
  });

  it('refuses a request without the CSRF token, or with another session’s, as JSON 403', async () => {
    const alicePage = await steerPage(cookies.alice);
    const bobPage = await steerPage(cookies.bob);
    const attempts: Array<Record<string, string>> = [{ cookie: cookies.alice! }, { cookie: cookies.alice!, 'x-csrf-token': bobPage.csrf }];
    for (const headers of attempts) {
      const res = await run(steerBody(true), headers);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('did not come from this site') });
    }
    expect(alicePage.csrf).not.toBe(bobPage.csrf);
    // Bad input is the API's 400, not a page.
    const bad = await run({ ...steerBody(false), n_tokens: 0 }, { cookie: cookies.alice!, 'x-csrf-token': alicePage.csrf });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_ERROR');
  });

  it("counts in the steer group per user, together with the user's /api/steer calls", async () => {
    const { csrf, cookie } = await steerPage(cookies.alice);
    const fromPage = await run(steerBody(false, 5), { cookie, 'x-csrf-token': csrf });
    const fromApi = await ctx.app.inject({
      method: 'POST',
      url: '/api/steer',
      headers: { 'x-api-key': alice.key },
      payload: steerBody(false, 6),
    });
    const left = (res: { headers: Record<string, unknown> }) => Number(res.headers['x-ratelimit-remaining']);
    expect(fromPage.headers['x-ratelimit-limit']).toBe('50');
    expect(left(fromApi)).toBe(left(fromPage) - 1);
    // Bob's count is his own.
    const bobPage = await steerPage(cookies.bob);
    const asBob = await run(steerBody(false), { cookie: bobPage.cookie, 'x-csrf-token': bobPage.csrf });
    expect(left(asBob)).toBeGreaterThan(left(fromApi));
  });

  it('POST /sign-in is limited per client IP, signed in or not; the form itself is not', async () => {
    // Two sign-ins so far (alice, bob); the window allows SIGN_IN_LIMIT.
    const form = await ctx.app.inject({ url: '/sign-in' });
    const csrfCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const attempt = (cookie: string, remoteAddress = '127.0.0.1') =>
      ctx.app.inject({
        method: 'POST',
        url: '/sign-in',
        remoteAddress,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ csrf, key: 'sk-np-guess' }).toString(),
      });
    const statuses: number[] = [];
    for (let i = 2; i < SIGN_IN_LIMIT + 1; i++) statuses.push((await attempt(csrfCookie)).statusCode);
    expect(statuses).toEqual([400, 400, 429]);
    // A session does not lift the limit: it is per address.
    const limited = await attempt(`${csrfCookie}; ${cookies.alice}`);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', endpoint: 'POST /sign-in', limitPerWindow: SIGN_IN_LIMIT });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address still may; the form page is never counted.
    expect((await attempt(csrfCookie, '10.0.0.9')).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: '/sign-in' })).statusCode).toBe(200);
  });
});
