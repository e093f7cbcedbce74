// Uploads over HTTP: models, source sets, vectors, features (dashboards) and activations, with the
// real server's messages, ownership, atomicity, and a round trip through the feature API.
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { neuron } from '../src/db/schema/index.js';
import { floats, seedExplanationNames } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { buildTestApp, type TestContext } from './helper.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload: unknown, key?: string) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  ctx = await buildTestApp();
  alice = await userWithKey(ctx.database.db, 'alice');
  bob = await userWithKey(ctx.database.db, 'bob');
  await seedExplanationNames(ctx.database.db, { types: ['np_max-act-logits'], models: ['gpt-4o-mini'] });
});
afterAll(() => ctx?.close());

describe('POST /api/model/new and /api/source-set/new', () => {
  it('need a key', async () => {
    const res = await post('/api/model/new', { id: 'pup-model', layers: 3 });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/^This endpoint requires authorization/);
  });

  it('create a private model and a source set with one source per layer', async () => {
    const model = await post('/api/model/new', { id: 'pup-model', layers: 3, displayName: 'Pup', dimension: 8 }, alice.key);
    expect(model.statusCode).toBe(200);
    expect(model.json()).toMatchObject({
      id: 'pup-model',
      layers: 3,
      displayName: 'Pup',
      dimension: 8,
      visibility: 'PRIVATE',
      owner: 'custom',
      creatorId: alice.user.id,
    });
    const set = await post('/api/source-set/new', { name: 'pupscope', modelId: 'pup-model', description: 'Residual' }, alice.key);
    expect(set.statusCode).toBe(200);
    expect(set.json().sources.map((s: { id: string }) => s.id)).toEqual(['0-pupscope', '1-pupscope', '2-pupscope']);
    expect(set.json()).toMatchObject({ name: 'pupscope', type: 'Custom', visibility: 'PRIVATE', creatorId: alice.user.id });
    // Private: bob cannot see it, alice can.
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/api/source-set/pup-model/pupscope', headers: { 'x-api-key': bob.key } })).statusCode,
    ).toBe(404);
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/api/source-set/pup-model/pupscope', headers: { 'x-api-key': alice.key } })).statusCode,
    ).toBe(200);
  });

  it("take the Python client's nulls for what it was not given", async () => {
    const res = await post('/api/model/new', { id: 'py-model', layers: 2, displayName: null, url: null }, alice.key);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'py-model', displayName: 'py-model', website: null });
  });

  it('refuse duplicates and bad names with the real messages', async () => {
    expect((await post('/api/model/new', { id: 'pup-model', layers: 3 }, alice.key)).json()).toMatchObject({
      error: 'Model already exists',
      code: 'BAD_REQUEST',
    });
    expect((await post('/api/model/new', { id: 'a--b', layers: 3 }, alice.key)).json().error).toBe('Name cannot contain double hyphens');
    expect((await post('/api/model/new', { id: 'Bad Name', layers: 3 }, alice.key)).statusCode).toBe(400);
    expect((await post('/api/model/new', { id: 'big', layers: 500 }, alice.key)).json().message).toContain('body/layers');
    expect((await post('/api/source-set/new', { name: 'pupscope', modelId: 'pup-model' }, alice.key)).json().error).toBe(
      'Source set name already exists for this model.',
    );
    expect((await post('/api/source-set/new', { name: 'neurons', modelId: 'pup-model' }, alice.key)).json().error).toBe(
      'Name cannot be "neurons"',
    );
    expect((await post('/api/source-set/new', { name: 'x', modelId: 'pup-model' }, bob.key)).json().error).toBe('Model not found'); // private to alice
  });
});

describe('vectors', () => {
  const vector = [...floats(3, 7).map((x) => x / 3), 0.1 + 0.2];
  let created: { modelId: string; source: string; index: string };

  it('upload, then read back bit-identical through get and list-owned', async () => {
    const res = await post(
      '/api/vector/new',
      { modelId: 'pup-model', layerNumber: 1, hookType: 'hook_resid_pre', vector, vectorDefaultSteerStrength: 20, vectorLabel: 'dogs' },
      alice.key,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.message).toBe('Success');
    expect(body.vector).toMatchObject({
      modelId: 'pup-model',
      source: '1-neuronpedia-resid-pre',
      label: 'dogs',
      defaultSteerStrength: 20,
      hookName: 'blocks.1.hook_resid_pre',
    });
    expect(Number(body.vector.index)).toBeGreaterThanOrEqual(90_000_000);
    expect(body.url).toBe(`http://mirror.test/pup-model/1-neuronpedia-resid-pre/${body.vector.index}`);
    expect(body.vector.values).toEqual(vector);
    created = body.vector;

    const got = await post('/api/vector/get', { modelId: 'pup-model', source: created.source, index: created.index }, alice.key);
    expect(got.json().vector.vector).toEqual(vector);
    expect(got.json().vector).toMatchObject({ vectorLabel: 'dogs', creatorId: alice.user.id, hookName: 'blocks.1.hook_resid_pre' });
    const owned = await ctx.app.inject({
      method: 'POST',
      url: '/api/vector/list-owned',
      headers: { 'x-api-key': alice.key, 'content-length': '0' },
    });
    expect(owned.statusCode).toBe(200);
    expect(owned.json().vectors).toHaveLength(1);
    expect(owned.json().vectors[0].vector).toEqual(vector);
    // The Python client sends the index back as a string.
    const feature = await ctx.app.inject({
      method: 'GET',
      url: `/api/feature/pup-model/${created.source}/${created.index}`,
      headers: { 'x-api-key': alice.key },
    });
    expect(feature.json()).toMatchObject({ hasVector: true, vector, vectorLabel: 'dogs' });
  });

  it('are private to their creator by default', async () => {
    expect(
      (await post('/api/vector/get', { modelId: 'pup-model', source: created.source, index: created.index }, bob.key)).statusCode,
    ).toBe(404);
    expect((await post('/api/vector/get', { modelId: 'pup-model', source: created.source, index: created.index })).statusCode).toBe(404);
    const owned = await ctx.app.inject({ method: 'POST', url: '/api/vector/list-owned', headers: { 'x-api-key': bob.key } });
    expect(owned.json().vectors).toEqual([]);
  });

  it('are checked against the model, as upstream', async () => {
    const base = {
      modelId: 'pup-model',
      layerNumber: 1,
      hookType: 'hook_resid_pre',
      vector,
      vectorDefaultSteerStrength: 20,
      vectorLabel: 'x',
    };
    expect((await post('/api/vector/new', { ...base, vector: [1, 2] }, alice.key)).json().message).toBe(
      'Vector dimension does not match model dimension',
    );
    expect((await post('/api/vector/new', { ...base, layerNumber: 3 }, alice.key)).json().message).toBe(
      "Layer number is greater than model's numLayers",
    );
    expect((await post('/api/vector/new', { ...base, modelId: 'nope' }, alice.key)).json().message).toBe('Model not found');
    expect((await post('/api/vector/new', { ...base, hookType: 'hook_mlp_out' }, alice.key)).statusCode).toBe(400);
    expect((await post('/api/vector/new', { ...base, vectorDefaultSteerStrength: 301 }, alice.key)).statusCode).toBe(400);
    expect((await post('/api/upload/vector', base, alice.key)).json().message).toBe('Success'); // the docs page's path
    const defaultStrength = await post('/api/vector/new', { ...base, vectorDefaultSteerStrength: null }, alice.key);
    expect(defaultStrength.json().vector.defaultSteerStrength).toBe(10);
  });

  it('take activations from their creator only, with matching lengths', async () => {
    const ref = { modelId: 'pup-model', source: created.source, index: created.index };
    const ok = await post('/api/activation/upload-batch', { ...ref, activations: [{ tokens: ['a', 'b'], values: [0.5, 2] }] }, alice.key);
    expect(ok.json()).toEqual({ message: '1 activations created.' });
    expect(
      (await post('/api/activation/upload-batch', { ...ref, activations: [{ tokens: ['a'], values: [1, 2] }] }, alice.key)).json().error,
    ).toBe('Activations tokens length does not match values length.');
    expect(
      (await post('/api/activation/upload-batch', { ...ref, activations: [{ tokens: ['a'], values: [1] }] }, bob.key)).statusCode,
    ).toBe(404); // cannot even see it
    const acts = await post('/api/activation/get', ref, alice.key);
    expect(acts.json()[0]).toMatchObject({
      tokens: ['a', 'b'],
      values: [0.5, 2],
      maxValue: 2,
      maxValueTokenIndex: 1,
      minValue: 0.5,
      creatorId: alice.user.id,
    });
  });

  it('are deleted by their creator only', async () => {
    const ref = { modelId: 'pup-model', source: created.source, index: created.index };
    expect((await post('/api/vector/delete', ref, bob.key)).statusCode).toBe(404);
    expect((await post('/api/vector/delete', ref, alice.key)).json()).toEqual({ message: 'Success' });
    expect((await post('/api/vector/get', ref, alice.key)).statusCode).toBe(404);
  });
});

describe('POST /api/feature/upload-batch', () => {
  const feature = (index: number) => ({
    index,
    density: 0.0123,
    topLogits: [{ token: 'Ġdog', value: 1.5 }],
    bottomLogits: [{ token: 'Ġcat', value: -1.25 }],
    explanations: [{ text: `dogs ${index}`, methodName: 'np_max-act-logits', modelName: 'gpt-4o-mini' }],
    activations: [
      { tokens: ['a', 'dog', 'ran'], values: [0, 3.5, 1], quantileMin: 3, quantileMax: 4, quantileFraction: 0.25 },
      { tokens: ['the', 'dog'], values: [0.5, 2] },
    ],
  });

  it('stores every feature and reads it back field by field', async () => {
    const res = await post(
      '/api/feature/upload-batch',
      { modelId: 'pup-model', source: '2-pupscope', features: [{ ...feature(0), density: null }, feature(7)] },
      alice.key,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: '2 features created.' });
    const got = (
      await ctx.app.inject({ method: 'GET', url: '/api/feature/pup-model/2-pupscope/7', headers: { 'x-api-key': alice.key } })
    ).json();
    expect(got).toMatchObject({
      modelId: 'pup-model',
      layer: '2-pupscope',
      index: '7',
      sourceSetName: 'pupscope',
      creatorId: alice.user.id,
      frac_nonzero: 0.0123,
      maxActApprox: 3.5,
    });
    expect([got.pos_str, got.pos_values, got.neg_str, got.neg_values]).toEqual([['Ġdog'], [1.5], ['Ġcat'], [-1.25]]);
    expect(got.explanations.map((e: Record<string, unknown>) => [e.description, e.typeName, e.explanationModelName])).toEqual([
      ['dogs 7', 'np_max-act-logits', 'gpt-4o-mini'],
    ]);
    expect(
      got.activations.map((a: Record<string, unknown>) => [
        a.tokens,
        a.values,
        a.maxValue,
        a.binMin,
        a.binMax,
        a.binContains,
        a.dataSource,
      ]),
    ).toEqual([
      [['a', 'dog', 'ran'], [0, 3.5, 1], 3.5, 3, 4, 0.25, 'User alice'],
      [['the', 'dog'], [0.5, 2], 2, null, null, null, 'User alice'],
    ]);
  });

  it('is atomic: one bad feature stores nothing', async () => {
    const [before] = await ctx.database.db.select({ n: count() }).from(neuron);
    const bad = { ...feature(20), activations: [{ tokens: ['a', 'b'], values: [1] }] };
    const res = await post(
      '/api/feature/upload-batch',
      { modelId: 'pup-model', source: '2-pupscope', features: [feature(19), bad] },
      alice.key,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^One of the activations tokens lengths does not match its values length/);
    const unknownType = { ...feature(21), explanations: [{ text: 'x', methodName: 'made-up' }] };
    const res2 = await post(
      '/api/upload/dashboard',
      { modelId: 'pup-model', source: '2-pupscope', features: [feature(22), unknownType] },
      alice.key,
    );
    expect(res2.json().error).toMatch(/^Invalid Explanation Method Names: made-up\. Valid methods are: np_max-act-logits/);
    const [after] = await ctx.database.db.select({ n: count() }).from(neuron);
    expect(after!.n).toBe(before!.n);
  });

  it("refuses duplicate indexes, someone else's source set, unknown sources and too many features", async () => {
    expect(
      (
        await post(
          '/api/feature/upload-batch',
          { modelId: 'pup-model', source: '2-pupscope', features: [feature(30), feature(30)] },
          alice.key,
        )
      ).json().error,
    ).toBe('All indexes must be unique.');
    await post('/api/model/new', { id: 'bob-model', layers: 1, visibility: 'PUBLIC' }, bob.key);
    await post('/api/source-set/new', { name: 'bobset', modelId: 'bob-model', visibility: 'PUBLIC' }, bob.key);
    const theirs = await post('/api/feature/upload-batch', { modelId: 'bob-model', source: '0-bobset', features: [feature(1)] }, alice.key);
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().error).toBe('User is not the creator of this source set.');
    expect(
      (await post('/api/feature/upload-batch', { modelId: 'pup-model', source: '9-pupscope', features: [feature(1)] }, alice.key)).json()
        .error,
    ).toBe('Source not found.');
    expect(
      (await post('/api/feature/upload-batch', { modelId: 'pup-model', source: '0-nothing', features: [feature(1)] }, alice.key))
        .statusCode,
    ).toBe(404);
    const tooMany = Array.from({ length: 129 }, (_, i) => feature(100 + i));
    expect(
      (await post('/api/feature/upload-batch', { modelId: 'pup-model', source: '2-pupscope', features: tooMany }, alice.key)).statusCode,
    ).toBe(400);
    expect(
      (
        await post(
          '/api/feature/upload-batch',
          { modelId: 'pup-model', source: '2-pupscope', features: [{ ...feature(1), index: -1 }] },
          alice.key,
        )
      ).statusCode,
    ).toBe(400);
  });
});

describe('POST /api/upload/dashboard with a whole source as NDJSON', () => {
  const line = (index: number) =>
    JSON.stringify({
      index,
      density: 0.5,
      activations: [{ tokens: ['a', 'b'], values: [1, index] }],
      explanations: [{ text: `feature ${index}` }],
    });
  const upload = (body: string, key = alice.key) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/upload/dashboard',
      headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' },
      payload: body,
    });

  it('stores every feature of the stream, several batches of 128', async () => {
    const lines = [JSON.stringify({ modelId: 'pup-model', source: '1-pupscope' }), ...Array.from({ length: 300 }, (_, i) => line(i)), ''];
    const res = await upload(lines.join('\n'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ message: '300 features created.' });
    const got = (
      await ctx.app.inject({ method: 'GET', url: '/api/feature/pup-model/1-pupscope/299', headers: { 'x-api-key': alice.key } })
    ).json();
    expect(got).toMatchObject({ frac_nonzero: 0.5, maxActApprox: 299 });
    expect(got.explanations[0].description).toBe('feature 299');
    // A whole source is a bulk write: the planner has statistics for it (PGlite has no autovacuum).
    const [stats] = await queryRows<{ n: number }>(
      ctx.database.db,
      sql`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = 'Neuron' AND attname = 'maxActApprox'`,
    );
    expect(stats!.n).toBe(1);
  });

  it('stores nothing when a line is bad, and says which line', async () => {
    const [before] = await ctx.database.db.select({ n: count() }).from(neuron);
    const lines = [
      JSON.stringify({ modelId: 'pup-model', source: '0-pupscope' }),
      ...Array.from({ length: 200 }, (_, i) => line(i)),
      '{"index": 500, "activations": [{"tokens": ["a"], "values": ["x"]}]}',
    ];
    const res = await upload(lines.join('\n'));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^line 202\/activations\/0\/values\/0 must be number/);
    const broken = await upload([JSON.stringify({ modelId: 'pup-model', source: '0-pupscope' }), line(1), '{oops'].join('\n'));
    expect(broken.json()).toMatchObject({ code: 'INVALID_JSON' });
    expect(broken.json().message).toMatch(/^line 3: not valid JSON/);
    const repeated = await upload([JSON.stringify({ modelId: 'pup-model', source: '0-pupscope' }), line(1), line(1)].join('\n'));
    expect(repeated.json().error).toMatch(/line 3: All indexes must be unique/);
    const [after] = await ctx.database.db.select({ n: count() }).from(neuron);
    expect(after!.n).toBe(before!.n);
  });

  it('checks ownership from the header line', async () => {
    const res = await upload([JSON.stringify({ modelId: 'bob-model', source: '0-bobset' }), line(1)].join('\n'));
    expect(res.statusCode).toBe(403);
    expect((await upload('')).statusCode).toBe(400);
  });
});
