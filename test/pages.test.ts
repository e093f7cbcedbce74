// The web pages over HTTP (issue 15): each page shows what the API holds, private pages answer the
// same 404 as missing ones, sign-in needs a CSRF token and sign-out kills the session, /api ignores
// the session cookie, and the links the API hands out (vector `url`, steer `shareUrl`, the 404
// message's /available-resources) open pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model } from '../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';

const MODEL = 'gpt2-small';
const FEATURE = `/${MODEL}/6-res-jb/1`;
/** The page's own content, without the header (whose sign-in link names the page's path). */
const mainOf = (body: string) => /<main id="main">[\s\S]*<\/main>/.exec(body)![0];

describe('web pages', () => {
  let ctx: TestContext;
  let double: InferenceDouble;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let bob: Awaited<ReturnType<typeof userWithKey>>;
  const get = (url: string, cookie?: string) => ctx.app.inject({ url, headers: cookie ? { cookie } : {} });

  /** Signs in through the form, as a browser does: the CSRF cookie and field first. */
  async function signIn(key: string): Promise<string> {
    const form = await get('/sign-in');
    const csrfCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, key, next: FEATURE }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(FEATURE);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^np_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    return cookie.split(';')[0]!;
  }

  beforeAll(async () => {
    double = await startInferenceDouble();
    ctx = await buildTestApp({ INFERENCE_HOSTS: `*=${double.url}`, INFERENCE_SECRET: double.secret });
    alice = await userWithKey(ctx.database.db, 'alice');
    bob = await userWithKey(ctx.database.db, 'bob');
    await seedSource(ctx.database.db, { features: 3 });
    await seedSource(ctx.database.db, { modelId: 'secret-model', features: 2, visibility: 'PRIVATE', creatorId: alice.user.id });
    await ctx.database.db.update(model).set({ dimension: 4 }).where(eq(model.id, MODEL));
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });

  it('a feature page shows what GET /api/feature holds for it', async () => {
    const json = (await get(`/api/feature${FEATURE}`)).json();
    const page = await get(FEATURE);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const e of json.explanations) expect(page.body).toContain(e.description);
    expect(page.body).toContain(
      `Top activations <span class="muted small">1–${Math.min(10, json.activations.length)} of ${json.activations.length}</span>`,
    );
    // Every activation's max token is outlined, with its value to hover.
    expect(page.body.match(/class="t max"/g)).toHaveLength(json.activations.length);
    expect(page.body).toContain(`href="/api/feature${FEATURE}"`);
    expect(page.body).toContain('href="/steer?feature&#61;gpt2-small%2F6-res-jb%2F1"');
    // The source page lists it with its top explanation.
    const source = await get(`/${MODEL}/6-res-jb`);
    expect(source.body).toContain(`href="${FEATURE}"`);
    expect(source.body).toContain(json.explanations[0].description);
    // Markup made by the templates is inserted as markup, never shown escaped.
    expect(source.body).toMatch(/<caption[^>]*>\s*Features 1 onwards/);
    expect(source.body).not.toContain('&lt;');
    expect((await get(`/${MODEL}/6-res-jb?index=2`)).headers.location).toBe(`/${MODEL}/6-res-jb/2`);
  });

  it('leaves /api, /health and unknown API paths to the API (JSON 404, not a page)', async () => {
    for (const url of ['/api/nope/x/y', '/api/nope/x', '/API/feature/x']) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('ROUTE_NOT_FOUND');
    }
    expect((await get('/health')).headers['content-type']).toContain('application/json');
    expect((await get('/api/openapi.json')).json().paths['/{modelId}/{source}/{index}']).toBeUndefined();
  });

  it("another user's private page is the same 404 as a missing one; its owner sees it once signed in", async () => {
    const missing = await get('/no-model/6-res-jb/1');
    const privateOne = await get('/secret-model/6-res-jb/1');
    expect(missing.statusCode).toBe(404);
    expect(privateOne.statusCode).toBe(404);
    expect(mainOf(privateOne.body)).toBe(mainOf(missing.body));
    expect((await get('/')).body).not.toContain('secret-model');

    const aliceCookie = await signIn(alice.key);
    const bobCookie = await signIn(bob.key);
    expect((await get('/secret-model/6-res-jb/1', aliceCookie)).statusCode).toBe(200);
    expect((await get('/', aliceCookie)).body).toContain('secret-model');
    expect((await get('/', aliceCookie)).body).toContain('Signed in as <strong>alice</strong>');
    const asBob = await get('/secret-model/6-res-jb/1', bobCookie);
    expect(asBob.statusCode).toBe(404);
    expect(mainOf(asBob.body)).toBe(mainOf(missing.body));
  });

  it('/api ignores the session cookie', async () => {
    const cookie = await signIn(alice.key);
    const res = await ctx.app.inject({ url: '/api/feature/secret-model/6-res-jb/1', headers: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    expect((await ctx.app.inject({ url: '/api/feature/secret-model/6-res-jb/1', headers: { 'x-api-key': alice.key } })).statusCode).toBe(
      200,
    );
  });

  it('sign-in refuses a form without its CSRF token or with a bad key; sign-out ends the session', async () => {
    const noToken = await ctx.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `key=${alice.key}`,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.headers['set-cookie']).toBeUndefined();

    const form = await get('/sign-in');
    const csrfCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const badKey = await ctx.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, key: 'sk-np-nope' }).toString(),
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toContain('not an API key of this mirror');

    const cookie = await signIn(alice.key);
    const page = await get('/', cookie);
    const token = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const forged = await ctx.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf=x',
    });
    expect(forged.statusCode).toBe(403);
    const out = await ctx.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${token}`,
    });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    // The old cookie, kept by a careless browser, no longer signs anyone in.
    expect((await get('/secret-model/6-res-jb/1', cookie)).statusCode).toBe(404);
    expect((await get('/', cookie)).body).toContain('>Sign in</a>');
  });

  it('/steer finds features by explanation and opens them preselected; private ones only for their owner', async () => {
    const found = await get('/steer?q=animals');
    expect(found.statusCode).toBe(200);
    const links = [...found.body.matchAll(/href="\/steer\?feature=([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    expect(links).toContain('gpt2-small/6-res-jb/1');
    expect(links.some((l) => l.startsWith('secret-model/'))).toBe(false);
    expect((await get('/steer?q=animals', await signIn(alice.key))).body).toContain('secret-model');
    const picked = await get(`/steer?feature=${encodeURIComponent('gpt2-small/6-res-jb/1')}`);
    expect(picked.body).toContain('value="gpt2-small/6-res-jb/1"');
    expect((await get('/steer?q=zzzznothing')).body).toContain("No feature's explanation matches.");
  });

  it('the links the API returns open pages: vector url, steer shareUrl, the 404 message', async () => {
    const vector = await ctx.app.inject({
      method: 'POST',
      url: '/api/vector/new',
      headers: { 'x-api-key': alice.key },
      payload: {
        modelId: MODEL,
        layerNumber: 1,
        hookType: 'hook_resid_pre',
        vector: [1, 2, 3, 4],
        vectorLabel: 'dogs',
        vectorDefaultSteerStrength: 20,
      },
    });
    expect(vector.json()).toMatchObject({ message: 'Success' });
    const vectorPath = new URL(vector.json().url).pathname;
    const cookie = await signIn(alice.key);
    const vectorPage = await get(vectorPath, cookie);
    expect(vectorPage.statusCode).toBe(200);
    expect(vectorPage.body).toContain('Steering vector: dogs');
    expect((await get(vectorPath)).statusCode).toBe(404); // private to alice

    const steer = await ctx.app.inject({
      method: 'POST',
      url: '/api/steer',
      payload: {
        prompt: 'Hello there',
        modelId: MODEL,
        features: [{ modelId: MODEL, layer: '6-res-jb', index: 1, strength: 5 }],
        temperature: 0.5,
        n_tokens: 4,
        seed: 1,
        strength_multiplier: 1,
      },
    });
    expect(steer.statusCode).toBe(200);
    const saved = steer.json();
    const steerPage = await get(new URL(saved.shareUrl).pathname);
    expect(steerPage.statusCode).toBe(200);
    expect(steerPage.body).toContain(`<div class="out" id="out-steered">${saved.STEERED}</div>`);

    const notFound = (await get('/api/feature/nope/x/1')).json().message as string;
    const link = /(http\S+available-resources)/.exec(notFound)![1]!;
    const resources = await get(new URL(link).pathname);
    expect(resources.statusCode).toBe(200);
    expect(resources.body).toContain(`href="/${MODEL}/6-res-jb"`);
  });

  it('quick list (SAELens format), saved list and explanation search show the API data', async () => {
    const features = [
      { modelId: MODEL, layer: '6-res-jb', index: '1' },
      { modelId: MODEL, layer: '6-res-jb', index: '2' },
      { modelId: 'secret-model', layer: '6-res-jb', index: '1' },
    ];
    const quick = await get(
      `/quick-list/?name=${encodeURIComponent('my <list>')}&features=${encodeURIComponent(JSON.stringify(features))}`,
    );
    expect(quick.statusCode).toBe(200);
    expect(quick.body).toContain('<h1>my &#60;list&#62;</h1>');
    expect(quick.body).toContain(`href="/${MODEL}/6-res-jb/2"`);
    expect(quick.body).not.toContain('secret-model/6-res-jb/1"');
    expect(quick.body).toContain('1 feature(s) not available.');
    expect((await get('/quick-list/?features=notjson')).statusCode).toBe(400);

    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/list/new',
      headers: { 'x-api-key': bob.key },
      payload: { name: 'Bob list', description: 'cats' },
    });
    const listId = created.json().id as string;
    await ctx.app.inject({
      method: 'POST',
      url: '/api/list/add-features',
      headers: { 'x-api-key': bob.key },
      payload: { listId, featuresToAdd: [{ modelId: MODEL, layer: '6-res-jb', index: '2' }] },
    });
    const apiList = (await ctx.app.inject({ method: 'POST', url: '/api/list/get', payload: { listId } })).json();
    const listPage = await get(`/list/${listId}`);
    expect(listPage.body).toContain('Bob list');
    for (const n of apiList.neurons) expect(listPage.body).toContain(`href="/${n.modelId}/${n.layer}/${n.index}"`);
    expect((await get(`/${MODEL}/6-res-jb/2`)).body).toContain(`href="/list/${listId}">Bob list</a>`);

    const apiSearch = (await ctx.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'animals' } })).json();
    const search = await get('/search-explanations?q=animals');
    expect(search.body).toContain(`data-mode="${apiSearch.searchMode}"`);
    expect(apiSearch.results.length).toBeGreaterThan(0);
    for (const r of apiSearch.results) expect(search.body).toContain(`href="/${r.modelId}/${r.layer}/${r.index}"`);
  });
});
