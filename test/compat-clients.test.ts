// SAELens's Neuronpedia integration and the list/explanation routes it and the Python client call,
// replayed over HTTP with the exact bodies their code sends (sae_lens/analysis/
// neuronpedia_integration.py: make_neuronpedia_list_with_features, test_key, the autointerp upload
// to /api/explanation/new, get_neuronpedia_feature; tutorial_2_0's explanation export).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { expectError } from './fixtures/error-body.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
let admin: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload: unknown, key?: string) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });
const get = (url: string, key?: string) => ctx.app.inject({ method: 'GET', url, headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  ctx = await buildTestApp();
  alice = await userWithKey(ctx.database.db, 'alice');
  bob = await userWithKey(ctx.database.db, 'bob');
  admin = await userWithKey(ctx.database.db, 'root', true);
  await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 2 });
  await seedSource(ctx.database.db, { modelId: 'bob-secret', visibility: 'PRIVATE', creatorId: bob.user.id, features: 1 });
});
afterAll(() => ctx?.close());

describe('SAELens', () => {
  it('test_key: POST /api/test {apiKey} is 200 for a valid key, not 200 otherwise', async () => {
    const ok = await post('/api/test', { apiKey: alice.key });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toEqual({ name: 'alice' });
    expectError(await post('/api/test', { apiKey: 'sk-np-not-a-real-key-0000000000000000000000' }), 401, 'INVALID_API_KEY');
    expectError(await post('/api/test', {}), 400, 'VALIDATION_ERROR');
  });

  it('make_neuronpedia_list_with_features: list with the readable features, `url` to open', async () => {
    // Its body: description None when not given, layer "{layer}-{dataset}", integer index, description "".
    const res = await post(
      '/api/list/new-with-features',
      {
        name: 'my list',
        description: null,
        features: [
          { modelId: 'gpt2-small', layer: '6-res-jb', index: 1, description: '' },
          { modelId: 'gpt2-small', layer: '6-res-jb', index: 2, description: 'two' },
          { modelId: 'bob-secret', layer: '6-res-jb', index: 0, description: '' },
          { modelId: 'gpt2-small', layer: '6-res-jb', index: 999, description: '' },
        ],
      },
      alice.key,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.url).toBe(`http://mirror.test/list/${body.id}`);
    expect(body).toMatchObject({ name: 'my list', description: '', userId: alice.user.id });
    expect(body.skippedFeatures).toEqual([
      { modelId: 'bob-secret', layer: '6-res-jb', index: '0' },
      { modelId: 'gpt2-small', layer: '6-res-jb', index: '999' },
    ]);
    const list = (await post('/api/list/get', { listId: body.id })).json();
    expect(list.neurons.map((n: { index: string; description: string }) => [n.index, n.description])).toEqual([
      ['1', ''],
      ['2', 'two'],
    ]);
    // Without a key: an error whose `message` SAELens prints.
    const anon = await post('/api/list/new-with-features', { name: 'x', features: [] });
    expectError(anon, 401, 'UNAUTHORIZED');
    expectError(await post('/api/list/new-with-features', { name: '   ', features: [] }, alice.key), 400, 'BAD_REQUEST');
  });

  it('get_neuronpedia_feature, then the autointerp upload: stored, authored by the key holder, shown on the feature', async () => {
    const feature = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    expect(Number(feature.index)).toBe(1);
    expect(feature.activations[0]).toHaveProperty('tokens');
    expect(feature.activations[0]).toHaveProperty('values');
    // feature_data as SAELens builds it when it scored (json.dumps(default=vars) of its objects).
    const featureData = {
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: 1,
      explanation: 'words about cats',
      explanationScore: 0.42,
      explanationModel: 'gpt-4-1106-preview',
      activations: [{ id: feature.activations[0].id, tokens: feature.activations[0].tokens, act_values: feature.activations[0].values }],
      simulationModel: 'gpt-3.5-turbo',
      simulationActivations: [{ simulation: { tokens: ['a'], expected_activations: [0.1] }, ev_correlation_score: 0.42 }],
      simulationScore: 0.42,
    };
    const res = await post('/api/explanation/new', { feature: featureData }, alice.key);
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toBe('http://mirror.test/gpt2-small/6-res-jb/1');
    const id = res.json().explanation.id;

    const after = (await get('/api/feature/gpt2-small/6-res-jb/1')).json();
    const mine = after.explanations.find((e: { id: string }) => e.id === id);
    expect(mine).toMatchObject({ description: 'words about cats', explanationModelName: 'gpt-4-1106-preview' });
    const details = (await get(`/api/explanation/${id}`)).json();
    expect(details).toMatchObject({ id, authorId: alice.user.id, author: { name: 'alice' }, scoreV1: 0.42, scores: [] });
    expect(details.neuron).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', index: '1' });
    expect(details.model).toMatchObject({ id: 'gpt2-small' });
    expect(details).not.toHaveProperty('embedding');

    // A feature the uploader may not read is missing to them; without a key, 401.
    const hidden = await post(
      '/api/explanation/new',
      { feature: { ...featureData, modelId: 'bob-secret', layer: '6-res-jb', index: 0 } },
      alice.key,
    );
    expectError(hidden, 404, 'NOT_FOUND');
    expectError(await post('/api/explanation/new', { feature: featureData }), 401, 'UNAUTHORIZED');
  });

  it('tutorial_2_0: GET /api/explanation/export?modelId&saeId parses as one JSON array; jsonl on request', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/explanation/export?modelId=gpt2-small&saeId=6-res-jb',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const rows = res.json() as Array<Record<string, unknown>>;
    // 3 features × 2 seeded explanations, plus alice's upload.
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id as string)].sort());
    expect(rows[0]).toHaveProperty('description');
    expect(rows[0]).not.toHaveProperty('embedding');
    const lines = await get('/api/explanation/export?modelId=gpt2-small&saeId=6-res-jb&format=jsonl');
    expect(lines.headers['content-type']).toMatch(/application\/x-ndjson/);
    expect(
      lines.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(rows.map((r) => r.id));
    // A private source is missing to others, readable by its owner.
    expectError(await get('/api/explanation/export?modelId=bob-secret&saeId=6-res-jb', alice.key), 404, 'NOT_FOUND');
    expect((await get('/api/explanation/export?modelId=bob-secret&saeId=6-res-jb', bob.key)).json()).toHaveLength(2);
    expectError(await get('/api/explanation/export?modelId=gpt2-small'), 400, 'VALIDATION_ERROR');
  });
});

describe('explanations by id', () => {
  it('are hidden with their feature, and deleted only by their author or an admin', async () => {
    expectError(await get('/api/explanation/exp-bob-secret-6-res-jb-0-a', alice.key), 404, 'NOT_FOUND');
    expectError(await get('/api/explanation/nope'), 404, 'NOT_FOUND');
    const up = await post(
      '/api/explanation/new',
      { feature: { modelId: 'gpt2-small', layer: '6-res-jb', index: '2', explanation: 'temporary' } },
      alice.key,
    );
    const id = up.json().explanation.id;
    expectError(await post(`/api/explanation/${id}/delete`, {}, bob.key), 403, 'FORBIDDEN');
    const deleted = await post(`/api/explanation/${id}/delete`, {}, alice.key);
    expect(deleted.json()).toEqual({ message: 'Explanation deleted' });
    expectError(await get(`/api/explanation/${id}`), 404, 'NOT_FOUND');
    // An admin may delete anyone's; the bot's seeded explanation here.
    expect((await post('/api/explanation/exp-gpt2-small-6-res-jb-0-a/delete', {}, admin.key)).statusCode).toBe(200);
  });

  it('scores are deleted only by who ran them, or an admin', async () => {
    expectError(await post('/api/explanation/score/score-gpt2-small-6-res-jb-1/delete', {}, alice.key), 403, 'FORBIDDEN');
    expectError(await post('/api/explanation/score/score-bob-secret-6-res-jb-0/delete', {}, alice.key), 404, 'NOT_FOUND');
    const res = await post('/api/explanation/score/score-gpt2-small-6-res-jb-1/delete', {}, admin.key);
    expect(res.json()).toEqual({ message: 'Explanation score deleted' });
    const details = (await get('/api/explanation/exp-gpt2-small-6-res-jb-1-b')).json();
    expect(details.scores).toEqual([]);
  });
});

describe('lists: update and edit-feature', () => {
  it('change name, description, test text and an entry note, by the owner only', async () => {
    const created = (
      await post(
        '/api/list/new-with-features',
        { name: 'L', features: [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 0 }] },
        alice.key,
      )
    ).json();
    const updated = await post(
      '/api/list/update',
      { listId: created.id, name: 'Renamed', description: 'd', defaultTestText: 'hello' },
      alice.key,
    );
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ id: created.id, name: 'Renamed', description: 'd', defaultTestText: 'hello' });
    expectError(await post('/api/list/update', { listId: created.id, name: 'x' }, bob.key), 403, 'FORBIDDEN');
    expectError(await post('/api/list/update', { listId: 'missing', name: 'x' }, alice.key), 404, 'NOT_FOUND');

    const edit = { listId: created.id, modelId: 'gpt2-small', layer: '6-res-jb', index: '0', description: 'the zero' };
    const edited = await post('/api/list/edit-feature', edit, alice.key);
    expect(edited.json()).toMatchObject({ listId: created.id, index: '0', description: 'the zero' });
    expectError(await post('/api/list/edit-feature', edit, bob.key), 403, 'FORBIDDEN');
    expectError(await post('/api/list/edit-feature', { ...edit, index: '1' }, alice.key), 404, 'NOT_FOUND');
    const list = (await post('/api/list/get', { listId: created.id })).json();
    expect(list).toMatchObject({ name: 'Renamed', description: 'd' });
    expect(list.neurons[0].description).toBe('the zero');
  });
});

describe('upstream changes since May 2026', () => {
  it('explanation/score knows the NLA scorers and answers 503 naming the service that scores them', async () => {
    for (const scorerType of ['nla_reconstructor', 'nla_verbalizer', 'nla_verbalizer_last']) {
      const res = await post(
        '/api/explanation/score',
        { explanationId: 'exp-gpt2-small-6-res-jb-1-b', scorerType, scorerModel: 'x' },
        alice.key,
      );
      expectError(res, 503, 'SERVICE_NOT_CONFIGURED');
      expect(res.json().message).toContain('NLA server');
    }
    // An unknown scorer is still the caller's mistake.
    expectError(
      await post('/api/explanation/score', { explanationId: 'x', scorerType: 'nla_typo', scorerModel: 'x' }, alice.key),
      400,
      'BAD_REQUEST',
    );
  });
});
