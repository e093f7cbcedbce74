// GET /api/feature/{modelId}/{layer}/{index}: the real server's JSON, key by key.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activation, neuron } from '../src/db/schema/index.js';
import { FeatureCache } from '../src/services/feature/feature-cache.js';
import { buildTestApp, type TestContext } from './helper.js';
import {
  ACTIVATION_FIELDS,
  CLIENT_LOCATION_FIELDS,
  EXPLANATION_SCORE_FIELDS,
  FEATURE_EXPLANATION_FIELDS,
  FEATURE_RELATIONS,
  MODEL_FIELDS,
  NEURON_FIELDS,
  shapeMismatches,
  SOURCE_FIELDS,
  SOURCE_SET_FIELDS,
} from './fixtures/feature-shape.js';
import { floats, seedSource } from './fixtures/seed.js';

let ctx: TestContext;
const get = (url: string) => ctx.app.inject({ method: 'GET', url });

beforeAll(async () => {
  ctx = await buildTestApp();
  await seedSource(ctx.database.db, { activationsPerFeature: 60, tokensPerActivation: 16 });
  await seedSource(ctx.database.db, {
    modelId: 'secret-model',
    setName: 'priv',
    layerNumber: 0,
    visibility: 'PRIVATE',
    creatorId: 'user-alice',
    features: 1,
  });
});
afterAll(() => ctx?.close());

describe('happy path', () => {
  it('returns every Neuron column and the relations, with the real types', async () => {
    const res = await get('/api/feature/gpt2-small/6-res-jb/1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    const problems = [
      ...shapeMismatches(body, NEURON_FIELDS),
      ...shapeMismatches(body, FEATURE_RELATIONS),
      ...shapeMismatches(body.model, MODEL_FIELDS, 'model.'),
      ...shapeMismatches(body.source, SOURCE_FIELDS, 'source.'),
      ...shapeMismatches(body.sourceSet, SOURCE_SET_FIELDS, 'sourceSet.'),
      ...body.activations.flatMap((a: Record<string, unknown>, i: number) => [
        ...shapeMismatches(a, ACTIVATION_FIELDS, `activations.${i}.`),
        ...shapeMismatches(a, CLIENT_LOCATION_FIELDS, `activations.${i}.`),
      ]),
      ...body.explanations.flatMap((e: Record<string, unknown>, i: number) => [
        ...shapeMismatches(e, FEATURE_EXPLANATION_FIELDS, `explanations.${i}.`),
        ...shapeMismatches(e, CLIENT_LOCATION_FIELDS, `explanations.${i}.`),
      ]),
    ];
    expect(problems).toEqual([]);
    expect(body).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', index: '1', creator: { name: 'bot' }, lists: [], comments: [] });
    expect(body.model.id).toBe('gpt2-small');
    expect(body.source.id).toBe('6-res-jb');
    expect(body.sourceSet.name).toBe('res-jb');
  });

  it('writes dates as ISO 8601 in UTC, as Prisma does', async () => {
    const body = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    expect(body.createdAt).toBe('2024-03-01T12:34:56.789Z');
    expect(body.model.updatedAt).toBe('2024-03-01T12:34:56.789Z');
    expect(body.activations[0].createdAt).toBe('2024-03-01T12:34:56.789Z');
  });

  it('returns all activations, strongest first, each naming its source', async () => {
    const body = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    expect(body.activations).toHaveLength(60);
    const maxValues = body.activations.map((a: { maxValue: number }) => a.maxValue);
    expect(maxValues).toEqual([...maxValues].sort((a, b) => b - a));
    for (const a of body.activations) expect(a).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', source: '6-res-jb', index: '1' });
  });

  it('orders explanations by scoreV2 then scoreV1, with their scores and the client location keys', async () => {
    const body = (await get('/api/feature/gpt2-small/6-res-jb/2')).json();
    // Upstream orders with Prisma's `scoreV2: 'desc'`, which Postgres sorts NULLS FIRST: unscored first.
    expect(body.explanations.map((e: { id: string }) => e.id)).toEqual(['exp-gpt2-small-6-res-jb-2-a', 'exp-gpt2-small-6-res-jb-2-b']);
    const best = body.explanations[1];
    expect(best).toMatchObject({
      description: 'animals 2',
      typeName: 'eleuther_acts_top20',
      explanationModelName: 'claude-3-5-haiku',
      triggeredByUser: null,
    });
    expect(best).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', source: '6-res-jb', index: '2' });
    expect(best.scores).toHaveLength(1);
    expect(shapeMismatches(best.scores[0], EXPLANATION_SCORE_FIELDS)).toEqual([]);
    expect(best.scores[0]).toMatchObject({ value: 0.61, explanationScoreTypeName: 'eleuther_fuzz', jsonDetails: '{"tp":3}' });
    expect(body.explanations[0].scores).toEqual([]);
    expect(best).not.toHaveProperty('embedding');
  });

  it('blanks correlated_features_* as upstream does', async () => {
    const body = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    expect(body.correlated_features_indices).toEqual([]);
    expect(body.correlated_features_pearson).toEqual([]);
    expect(body.topkCosSimIndices).toEqual([2, 3]); // other arrays pass through
  });

  it('reads stored floats back bit-identical', async () => {
    const vector = [...floats(7, 768).map((x) => x / 3), 1e-300, -0, 5e-324, 0.1 + 0.2, Number.MAX_VALUE];
    await ctx.database.db
      .update(neuron)
      .set({ vector, hasVector: true })
      .where(and(eq(neuron.modelId, 'gpt2-small'), eq(neuron.layer, '6-res-jb'), eq(neuron.index, '0')));
    ctx.app.featureCache.clear();
    const body = (await get('/api/feature/gpt2-small/6-res-jb/0')).json();
    expect(body.vector).toHaveLength(vector.length);
    body.vector.forEach((value: number, i: number) =>
      expect(Object.is(value, vector[i]) || value === vector[i], `vector[${i}]`).toBe(true),
    );
  });
});

describe('not found', () => {
  it.each([
    ['an unknown model', '/api/feature/no-such-model/6-res-jb/1'],
    ['an unknown source', '/api/feature/gpt2-small/99-res-jb/1'],
    ['an unknown index', '/api/feature/gpt2-small/6-res-jb/999999'],
    ['a private model, asked anonymously', '/api/feature/secret-model/0-priv/0'],
  ])('answers 404 with the real message for %s', async (_name, url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.code).toBe('NOT_FOUND');
    expect(body.error).toMatch(/^The model, source, or feature you specified is not available/);
    expect(body.error).toContain('http://mirror.test/available-resources');
    expect(body.message).toBe(body.error);
  });

  it('gives a private feature the same answer as a missing one', async () => {
    const hidden = await get('/api/feature/secret-model/0-priv/0');
    const missing = await get('/api/feature/secret-model/0-priv/12345');
    const absentModel = await get('/api/feature/other-model/0-priv/0');
    expect(hidden.statusCode).toBe(missing.statusCode);
    expect(hidden.body).toBe(absentModel.body);
  });
});

describe('cache', () => {
  it('serves the same bytes from the cache and sees writes once the cache is cleared', async () => {
    ctx.app.featureCache.clear();
    const first = await get('/api/feature/gpt2-small/6-res-jb/1');
    const second = await get('/api/feature/gpt2-small/6-res-jb/1');
    expect(second.body).toBe(first.body);
    await ctx.database.db
      .delete(activation)
      .where(
        and(
          eq(activation.modelId, 'gpt2-small'),
          eq(activation.layer, '6-res-jb'),
          eq(activation.index, '1'),
          eq(activation.id, first.json().activations[0].id),
        ),
      );
    ctx.app.featureCache.clear();
    const third = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    expect(third.activations).toHaveLength(59);
  });

  it('a successful write through the API clears it (one hook, for every route that declares it writes), a refused one does not', async () => {
    const { userWithKey } = await import('./fixtures/users.js');
    const { key } = await userWithKey(ctx.database.db, 'cache-writer');
    const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': key } });
    const url = '/api/feature/gpt2-small/6-res-jb/2';
    const before = await get(url);
    expect(before.json().lists ?? []).toEqual([]);
    const list = (await post('/api/list/new', { name: 'cache check' })).json();
    // Refused (no such feature): nothing changed, and the cached read is served as it was.
    expect(
      (await post('/api/list/add-features', { listId: list.id, featuresToAdd: [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 999 }] }))
        .statusCode,
    ).toBe(404);
    const cached = () => ctx.app.featureCache.get(FeatureCache.key('gpt2-small', '6-res-jb', '2'));
    expect(cached()).toBeDefined();
    const added = await post('/api/list/add-features', {
      listId: list.id,
      featuresToAdd: [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 2 }],
    });
    expect(added.statusCode).toBe(200);
    expect(cached()).toBeUndefined();
    expect((await get(url)).json().lists.map((l: { listId: string }) => l.listId)).toEqual([list.id]);
  });

  it('still refuses a private feature when the cache holds it', async () => {
    // Prime the cache as an admin would, then ask anonymously.
    const { readFeature } = await import('../src/services/feature/read-feature.js');
    const key = { modelId: 'secret-model', layer: '0-priv', index: '0' };
    const result = await readFeature(ctx.database.db, key, { id: 'user-alice', name: 'alice', admin: false });
    expect(result.found).toBe(true);
    if (!result.found) return;
    ctx.app.featureCache.set('secret-model\u00000-priv\u00000', {
      body: Buffer.from(JSON.stringify(result.feature)),
      guards: result.guards,
    });
    const res = await get('/api/feature/secret-model/0-priv/0');
    expect(res.statusCode).toBe(404);
  });
});
