// Search by text through the stand-in inference server: /api/search-all, /api/search,
// /api/search-topk-by-token, /api/activation/new and /api/activation/source. Expected answers are
// computed from the stand-in's deterministic activations; requests the mirror sent are checked.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { activation, explanation, model, neuron } from '../src/db/schema/index.js';
import { activationOf, BOS, startInferenceDouble, tokenize, vectorActivationOf, type InferenceDouble } from './doubles/inference-server.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const TEXT = 'the quick brown fox jumps over the lazy dog near a river bank';
const SOURCE = '6-res-jb';

/** What the stand-in ranks for search-all, before the mirror's filters. */
function ranked(text: string, features: number, sortIndexes: number[] = []) {
  const tokens = tokenize(text);
  return Array.from({ length: features }, (_, index) => {
    const values = tokens.map((t) => activationOf(SOURCE, index, t));
    return { index, values, maxValue: Math.max(...values), sum: sortIndexes.reduce((s, i) => s + (values[i] ?? 0), 0) };
  }).sort((a, b) => (sortIndexes.length ? b.sum - a.sum : b.maxValue - a.maxValue) || a.index - b.index);
}

describe('search by text through an inference server', () => {
  let double: InferenceDouble;
  let ctx: TestContext;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let bob: Awaited<ReturnType<typeof userWithKey>>;
  const post = (url: string, payload: unknown, key?: string) =>
    ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });

  beforeAll(async () => {
    double = await startInferenceDouble({ model: 'gpt2-small-tl' });
    double.sourceSets = { 'res-jb': [SOURCE] };
    ctx = await buildTestApp({ INFERENCE_HOSTS: `gpt2-small=${double.url}; private-model=${double.url}`, INFERENCE_SECRET: double.secret });
    alice = await userWithKey(ctx.database.db, 'alice');
    bob = await userWithKey(ctx.database.db, 'bob');
    await seedSource(ctx.database.db, { features: 32, activationsPerFeature: 2 });
    // The inference server knows the model by its TransformerLens id.
    await ctx.database.db.update(model).set({ tlensId: 'gpt2-small-tl' }).where(eq(model.id, 'gpt2-small'));
    await seedSource(ctx.database.db, {
      modelId: 'private-model',
      setName: 'res-jb',
      features: 2,
      visibility: 'PRIVATE',
      creatorId: alice.user.id,
    });
    await ctx.database.db.update(model).set({ tlensId: 'gpt2-small-tl' }).where(eq(model.id, 'private-model'));
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });

  it('search-all returns the strongest features joined with their feature, top activation and explanations', async () => {
    double.requests = [];
    const res = await post(
      '/api/search-all/',
      { modelId: 'gpt2-small', sourceSet: 'res-jb', text: TEXT, selectedLayers: [], sortIndexes: [], ignoreBos: true, numResults: 10 },
      alice.key,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const want = ranked(TEXT, 32)
      .slice(0, 10)
      .filter((f) => f.maxValue > 0);
    expect(body.tokens).toEqual(tokenize(TEXT));
    expect(body.sortIndexes).toEqual([]);
    expect(body.result.map((r: { index: string }) => r.index)).toEqual(want.map((f) => String(f.index)));
    const first = body.result[0];
    expect(first).toMatchObject({
      modelId: 'gpt2-small',
      layer: SOURCE,
      values: want[0]!.values,
      maxValue: want[0]!.maxValue,
      maxValueIndex: want[0]!.values.indexOf(want[0]!.maxValue),
    });
    expect(first.neuron).toMatchObject({
      modelId: 'gpt2-small',
      layer: SOURCE,
      index: String(want[0]!.index),
      model: { id: 'gpt2-small' },
    });
    expect(first.neuron.activations).toHaveLength(1);
    expect(first.neuron.explanations.map((e: { description: string }) => e.description)).toEqual([
      `cats and dogs ${want[0]!.index}`,
      `animals ${want[0]!.index}`,
    ]); // scoreV2 desc, NULLS FIRST as upstream

    expect(double.requests).toHaveLength(1);
    const sent = double.requests[0]!;
    expect(sent.path).toBe('/v1/activation/all');
    expect(sent.headers['x-secret-key']).toBe(double.secret);
    expect(sent.body).toEqual({
      prompt: TEXT,
      model: 'gpt2-small-tl',
      selectedSources: [],
      sortByTokenIndexes: [],
      sourceSet: 'res-jb',
      ignoreBos: true,
      numResults: 10,
    });
  });

  it("search-all's features are whole rows, as upstream's getNeuronsForSearcher returns them", async () => {
    const res = await post('/api/search-all', { modelId: 'gpt2-small', sourceSet: 'res-jb', text: TEXT, numResults: 3 });
    expect(res.statusCode, res.body).toBe(200);
    const db = ctx.database.db;
    const roundTrip = (row: object) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
    for (const r of res.json().result as Array<{ index: string; neuron: Record<string, unknown> }>) {
      const where = and(eq(neuron.modelId, 'gpt2-small'), eq(neuron.layer, SOURCE), eq(neuron.index, r.index));
      const { explanations, activations, model: modelOf, ...row } = r.neuron;
      expect(row).toEqual(roundTrip((await db.select().from(neuron).where(where))[0]!));
      expect(modelOf).toEqual(roundTrip((await db.select().from(model).where(eq(model.id, 'gpt2-small')))[0]!));
      const top = (
        await db
          .select()
          .from(activation)
          .where(and(eq(activation.modelId, 'gpt2-small'), eq(activation.layer, SOURCE), eq(activation.index, r.index)))
          .orderBy(desc(activation.maxValue))
      )[0]!;
      expect(activations).toEqual([{ ...roundTrip(top), source: SOURCE }]);
      const stored = await db
        .select()
        .from(explanation)
        .where(and(eq(explanation.modelId, 'gpt2-small'), eq(explanation.layer, SOURCE), eq(explanation.index, r.index)));
      const byId = new Map(stored.map(({ embedding: _embedding, ...e }) => [e.id, roundTrip(e)]));
      expect(explanations).toHaveLength(stored.length);
      for (const e of explanations as Array<Record<string, unknown>>) {
        expect(e).toEqual({ ...byId.get(e.id as string), source: SOURCE, author: { name: 'bot' }, votes: [] });
        expect(e.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
    }
  });

  it('search-all answers gzip to clients that ask (the Python client always does)', async () => {
    const payload = { modelId: 'gpt2-small', sourceSet: 'res-jb', text: TEXT, numResults: 20 };
    const plain = await post('/api/search-all', payload);
    const zipped = await ctx.app.inject({ method: 'POST', url: '/api/search-all', payload, headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toContain('application/json');
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('search-all ranks by the sum at sortIndexes, sorts selectedLayers, and drops features denser than the threshold', async () => {
    double.requests = [];
    const res = await post('/api/search-all', {
      modelId: 'gpt2-small',
      sourceSet: 'res-jb',
      text: TEXT,
      selectedLayers: [SOURCE],
      sortIndexes: [5, 2],
      densityThreshold: 0.001,
      numResults: 32,
    });
    expect(res.statusCode, res.body).toBe(200);
    // frac_nonzero of feature f is 0.000123 * (f + 1): above 0.001 from f = 8.
    const want = ranked(TEXT, 32, [2, 5]).filter((f) => f.sum > 0 && 0.000123 * (f.index + 1) <= 0.001);
    expect(want.length).toBeGreaterThan(0);
    expect(res.json().result.map((r: { index: string }) => Number(r.index))).toEqual(want.map((f) => f.index));
    expect(res.json().sortIndexes).toEqual([2, 5]);
    expect(double.requests[0]!.body).toMatchObject({ selectedSources: [SOURCE], sortByTokenIndexes: [2, 5] });
  });

  it('several texts go in one batch, without the feature join', async () => {
    double.requests = [];
    const res = await post('/api/search-all', {
      modelId: 'gpt2-small',
      sourceSet: 'res-jb',
      text: ['hello world', TEXT],
      sortIndexes: [],
      numResults: 5,
    });
    expect(res.statusCode, res.body).toBe(200);
    const { results } = res.json();
    expect(results).toHaveLength(2);
    expect(results[1].tokens).toEqual(tokenize(TEXT));
    expect(results[1].result.map((r: { index: string }) => Number(r.index))).toEqual(
      ranked(TEXT, 32)
        .slice(0, 5)
        .map((f) => f.index),
    );
    expect(results[1].result[0]).not.toHaveProperty('neuron');
    expect(double.requests[0]).toMatchObject({ path: '/v1/activation/all-batch', body: { prompts: ['hello world', TEXT] } });
  });

  it("the docs page's /api/search is search-all under other names", async () => {
    const docs = await post('/api/search', { model: 'gpt2-small', sae_set: 'res-jb', text: TEXT, top_k: 7 });
    const server = await post('/api/search-all', {
      modelId: 'gpt2-small',
      sourceSet: 'res-jb',
      text: TEXT,
      sortIndexes: [],
      numResults: 7,
    });
    expect(docs.statusCode, docs.body).toBe(200);
    expect(docs.json()).toEqual(server.json());
    expect(double.requests.at(-1)!.body).toMatchObject({ numResults: 7, ignoreBos: true });
  });

  it('private source sets are searched for their owner only; others get the same 404 as a missing one', async () => {
    double.requests = [];
    const payload = { modelId: 'private-model', sourceSet: 'res-jb', text: TEXT, sortIndexes: [] };
    expect((await post('/api/search-all', payload, bob.key)).statusCode).toBe(404);
    expect((await post('/api/search-all', payload)).statusCode).toBe(404);
    expect(double.requests).toHaveLength(0);
    expect((await post('/api/search-all', payload, alice.key)).statusCode).toBe(200);
    const missing = await post('/api/search-all', { ...payload, modelId: 'no-such-model' }, bob.key);
    expect(missing.json().message).toBe((await post('/api/search-all', payload, bob.key)).json().message);
  });

  it('a private feature is found by its owner only, also when the feature cache holds it', async () => {
    const top = String(ranked(TEXT, 32)[0]!.index);
    const where = and(eq(neuron.modelId, 'gpt2-small'), eq(neuron.layer, SOURCE), eq(neuron.index, top));
    await ctx.database.db.update(neuron).set({ visibility: 'PRIVATE', creatorId: alice.user.id }).where(where);
    ctx.app.featureCache.clear(); // as every write route does
    try {
      const indexes = async (key?: string) => {
        const res = await post('/api/search-all', { modelId: 'gpt2-small', sourceSet: 'res-jb', text: TEXT, numResults: 10 }, key);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().result.map((r: { index: string }) => r.index) as string[];
      };
      expect(await indexes(alice.key)).toContain(top); // now cached
      expect(await indexes(bob.key)).not.toContain(top);
      expect(await indexes()).not.toContain(top);
      expect(await indexes(alice.key)).toContain(top);
    } finally {
      await ctx.database.db.update(neuron).set({ visibility: null }).where(where);
      ctx.app.featureCache.clear();
    }
  });

  it('rejects bad input with 400 and upstream messages', async () => {
    const base = { modelId: 'gpt2-small', sourceSet: 'res-jb', text: TEXT, sortIndexes: [] };
    const cases: Array<[object, number, string?]> = [
      [{ ...base, text: '' }, 400, 'Missing search text.'],
      [{ ...base, text: [] }, 400, 'Missing search text.'],
      [{ ...base, numResults: 101 }, 400, 'numResults must be less than 100.'],
      [{ ...base, numResults: -3 }, 400, 'numResults must be greater than 0.'],
      [{ ...base, densityThreshold: 2 }, 400, 'densityThreshold must be between 0 and 1.'],
      [{ ...base, sortIndexes: [-1] }, 400],
      [{ ...base, text: 42 }, 400],
      [{ ...base, modelId: undefined }, 400],
      [{ ...base, modelId: 'gpt2-small\'; DROP TABLE "Neuron"; --' }, 404],
    ];
    for (const [payload, status, message] of cases) {
      const res = await post('/api/search-all', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().code).toBeTypeOf('string');
      if (message) expect(res.json().message).toBe(message);
    }
    const malformed = await ctx.app.inject({
      method: 'POST',
      url: '/api/search-all',
      payload: '{"text": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    expect((await ctx.database.db.select().from(neuron).where(eq(neuron.modelId, 'gpt2-small'))).length).toBe(32);
  });

  it('search-topk-by-token gives each token its strongest features, without special tokens or dense features', async () => {
    double.requests = [];
    const res = await post('/api/search-topk-by-token/', {
      modelId: 'gpt2-small',
      source: SOURCE,
      text: TEXT,
      numResults: 3,
      densityThreshold: 0.002,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.source).toBe(SOURCE);
    const tokens = tokenize(TEXT).slice(1);
    expect(body.results.map((r: { token: string }) => r.token)).toEqual(tokens);
    for (const [i, row] of body.results.entries()) {
      const top = Array.from({ length: 32 }, (_, f) => ({ f, v: activationOf(SOURCE, f, tokens[i]!) }))
        .filter((x) => x.v > 0)
        .sort((a, b) => b.v - a.v || a.f - b.f)
        .slice(0, 3)
        .filter((x) => 0.000123 * (x.f + 1) <= 0.002);
      expect(row.position).toBe(i + 1);
      expect(row.topFeatures.map((t: { featureIndex: number }) => t.featureIndex)).toEqual(top.map((x) => x.f));
      for (const t of row.topFeatures) {
        expect(t.feature).toMatchObject({ modelId: 'gpt2-small', layer: SOURCE, index: String(t.featureIndex) });
        // The newest explanation that a person did not write.
        expect(t.feature.explanations).toHaveLength(1);
      }
    }
    expect(double.requests[0]).toMatchObject({
      path: '/v1/activation/topk-by-token',
      body: { prompt: TEXT, model: 'gpt2-small-tl', source: SOURCE, topK: 3, ignoreBos: true },
    });

    const batch = await post('/api/search-topk-by-token', { modelId: 'gpt2-small', source: SOURCE, text: ['a b', 'c d'] });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results).toHaveLength(2);
    expect(double.requests.at(-1)!.path).toBe('/v1/activation/topk-by-token-batch');
    expect(
      (await post('/api/search-topk-by-token', { modelId: 'gpt2-small', source: SOURCE, text: TEXT, numResults: 21 })).statusCode,
    ).toBe(400);
    expect(
      (await post('/api/search-topk-by-token', { modelId: 'gpt2-small', source: SOURCE, text: TEXT, densityThreshold: 1.5 })).json()
        .message,
    ).toBe('densityThreshold must be between 0 and 1.');
    expect((await post('/api/search-topk-by-token', { modelId: 'gpt2-small', source: 'nope-res-jb', text: TEXT })).statusCode).toBe(404);
  });

  it('activation/new computes one feature on new text, as a whole or without its BOS', async () => {
    double.requests = [];
    const res = await post('/api/activation/new', { feature: { modelId: 'gpt2-small', source: SOURCE, index: '5' }, customText: TEXT });
    expect(res.statusCode, res.body).toBe(200);
    const values = tokenize(TEXT).map((t) => activationOf(SOURCE, '5', t));
    expect(res.json()).toMatchObject({
      tokens: tokenize(TEXT),
      values,
      maxValue: Math.max(...values),
      minValue: 0,
      modelId: 'gpt2-small',
      layer: SOURCE,
      index: '5',
      maxValueTokenIndex: values.indexOf(Math.max(...values)),
      dataSource: 'Neuronpedia',
    });
    expect(double.requests[0]).toMatchObject({
      path: '/v1/activation/single',
      body: { prompt: TEXT, model: 'gpt2-small-tl', source: SOURCE, index: '5' },
    });

    const noBos = await post('/api/activation/new', {
      neuron: { modelId: 'gpt2-small', layer: SOURCE, index: 5 },
      customText: [TEXT, 'x y'],
      ignoreBos: true,
    });
    expect(noBos.statusCode, noBos.body).toBe(200);
    expect(noBos.json()).toHaveLength(2);
    expect(noBos.json()[0].tokens[0]).not.toBe(BOS);
    expect(noBos.json()[0].values).toEqual(values.slice(1));
    expect(double.requests.at(-1)!.path).toBe('/v1/activation/single-batch');

    expect((await post('/api/activation/new', { feature: { modelId: 'gpt2-small', index: 5 }, customText: TEXT })).json().message).toBe(
      'Invalid feature.',
    );
    expect((await post('/api/activation/new', { feature: { modelId: 'gpt2-small', source: SOURCE, index: 5 } })).json().message).toBe(
      'Missing custom text.',
    );
    expect(
      (await post('/api/activation/new', { feature: { modelId: 'gpt2-small', source: SOURCE, index: -5 }, customText: 'x' })).statusCode,
    ).toBe(400);
  });

  it('activation/new of an uploaded vector sends the vector, and only its owner may use a private one', async () => {
    await ctx.database.db.update(model).set({ layers: 12, dimension: 4 }).where(eq(model.id, 'gpt2-small'));
    const vector = [0.5, -1, 2, 0.25];
    const created = await post(
      '/api/vector/new',
      { modelId: 'gpt2-small', layerNumber: 3, hookType: 'hook_resid_pre', vector, vectorLabel: 'mine', vectorDefaultSteerStrength: 10 },
      alice.key,
    );
    expect(created.statusCode, created.body).toBe(200);
    const ref = { modelId: 'gpt2-small', source: created.json().vector.source, index: created.json().vector.index };
    double.requests = [];
    const res = await post('/api/activation/new', { feature: ref, customText: 'hello there' }, alice.key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().values).toEqual(tokenize('hello there').map((t) => vectorActivationOf(vector, t)));
    expect(double.requests[0]!.body).toEqual({ prompt: 'hello there', model: 'gpt2-small-tl', vector, hook: 'blocks.3.hook_resid_pre' });
    expect((await post('/api/activation/new', { feature: ref, customText: 'hello there' }, bob.key)).statusCode).toBe(404);
    expect(double.requests).toHaveLength(1);
  });

  it('activation/source returns every active feature of the source', async () => {
    const res = await post('/api/activation/source', { modelId: 'gpt2-small', source: SOURCE, customText: 'red apple' });
    expect(res.statusCode, res.body).toBe(200);
    const [first] = res.json().results;
    expect(first.tokens).toEqual(tokenize('red apple'));
    for (const [index, pairs] of Object.entries(first.activeFeatures as Record<string, Array<[number, number]>>)) {
      for (const [position, value] of pairs) expect(value).toBe(activationOf(SOURCE, index, first.tokens[position]));
    }
    expect(
      (await post('/api/activation/source', { modelId: 'gpt2-small', source: SOURCE, customText: ['a', 'b', 'c', 'd', 'e'] })).statusCode,
    ).toBe(400);
  });

  it('vector/get of an SAE feature asks the inference server for its vector, as upstream', async () => {
    double.requests = [];
    const res = await post('/api/vector/get', { modelId: 'gpt2-small', source: SOURCE, index: '7' });
    expect(res.statusCode, res.body).toBe(200);
    const want = Array.from({ length: 8 }, (_, k) => activationOf(SOURCE, 7, `v${k}`));
    expect(res.json()).toEqual({
      vector: {
        modelId: 'gpt2-small',
        layer: SOURCE,
        index: '7',
        vectorLabel: '',
        hookName: 'blocks.6.hook_resid_pre',
        vector: want,
        vectorDefaultSteerStrength: 10,
      },
    });
    expect(double.requests.map((r) => [r.path, r.body])).toEqual([
      ['/v1/util/sae-vector', { model: 'gpt2-small-tl', source: SOURCE, index: 7 }],
    ]);

    // Private sources are the owner's only, and nothing is asked of the model for anyone else.
    double.requests = [];
    const hidden = { modelId: 'private-model', source: SOURCE, index: 0 };
    expect((await post('/api/vector/get', hidden, bob.key)).json()).toMatchObject({ code: 'NOT_FOUND', message: 'Vector not found' });
    expect(double.requests).toHaveLength(0);
    expect((await post('/api/vector/get', hidden, alice.key)).statusCode).toBe(200);
    expect((await post('/api/vector/get', { modelId: 'gpt2-small', source: '99-no-such-source', index: 1 })).statusCode).toBe(404);
    expect((await post('/api/vector/get', { modelId: 'gpt2-small', source: SOURCE, index: -1 })).statusCode).toBe(400);
  });
});

describe('inference server failures', () => {
  let good: InferenceDouble;
  let bad: InferenceDouble;
  let ctx: TestContext;
  const search = (c: TestContext, modelId = 'gpt2-small') =>
    c.app.inject({
      method: 'POST',
      url: '/api/search-all',
      payload: { modelId, sourceSet: 'res-jb', text: 'hello world', sortIndexes: [] },
    });

  beforeAll(async () => {
    good = await startInferenceDouble();
    bad = await startInferenceDouble();
    good.sourceSets = bad.sourceSets = { 'res-jb': [SOURCE] };
    ctx = await buildTestApp({
      INFERENCE_HOSTS: `gpt2-small=${bad.url},${good.url}; other=${bad.url}`,
      INFERENCE_SECRET: good.secret,
      INFERENCE_TIMEOUT_MS: '300',
    });
    await seedSource(ctx.database.db, { features: 4 });
    await seedSource(ctx.database.db, { modelId: 'other', features: 1 });
    await seedSource(ctx.database.db, { modelId: 'unserved', features: 1 });
  });
  afterAll(async () => {
    await ctx?.close();
    await good?.close();
    await bad?.close();
  });

  it('answers 503 naming the setting when no server is configured for the model', async () => {
    const res = await search(ctx, 'unserved');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'SERVICE_NOT_CONFIGURED' });
    expect(res.json().message).toContain('INFERENCE_HOSTS');
    const none = await buildTestApp();
    try {
      await seedSource(none.database.db, { features: 1 });
      const steer = await none.app.inject({
        method: 'POST',
        url: '/api/steer',
        payload: {
          prompt: 'hi',
          modelId: 'gpt2-small',
          features: [{ modelId: 'gpt2-small', layer: SOURCE, index: 0, strength: 5 }],
          temperature: 0,
          n_tokens: 4,
          seed: 1,
          strength_multiplier: 1,
        },
      });
      expect(steer.statusCode).toBe(503);
      expect(steer.json().message).toContain('INFERENCE_HOSTS');
      const vector = await none.app.inject({
        method: 'POST',
        url: '/api/vector/get',
        payload: { modelId: 'gpt2-small', source: SOURCE, index: 0 },
      });
      expect(vector.statusCode).toBe(503);
      expect(vector.json().message).toContain('INFERENCE_HOSTS');
    } finally {
      await none.close();
    }
  });

  it('retries a failing host on the next one', async () => {
    bad.failNext = 1;
    bad.requests = [];
    good.requests = [];
    // Whichever host comes first, one request fails over or goes straight to the good one.
    for (let i = 0; i < 2; i++) expect((await search(ctx)).statusCode).toBe(200);
    expect(good.requests.length).toBe(2);
    bad.dropNext = 5;
    for (let i = 0; i < 2; i++) expect((await search(ctx)).statusCode).toBe(200);
  });

  it("passes the server's own error on as 502, a dropped connection as 502, and silence as 504", async () => {
    bad.dropNext = 0;
    bad.failNext = 1;
    let res = await search(ctx, 'other');
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'CUDA out of memory', upstreamStatus: 500 });

    bad.model = 'some-other-model';
    res = await search(ctx, 'other');
    expect(res.statusCode).toBe(502);
    expect(res.json().message).toContain('is not loaded on this server');
    bad.model = undefined;

    bad.dropNext = 1;
    res = await search(ctx, 'other');
    expect(res.statusCode).toBe(502);
    expect(res.json().message).toContain('unavailable');

    bad.delayMs = 2000;
    const started = Date.now();
    res = await search(ctx, 'other');
    bad.delayMs = 0;
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1500);

    const secret = bad.secret;
    bad.secret = 'rotated';
    res = await search(ctx, 'other');
    bad.secret = secret;
    expect(res.statusCode).toBe(502);
    expect(res.json().message).toContain('INFERENCE_SECRET');
  });
});
