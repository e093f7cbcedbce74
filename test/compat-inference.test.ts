// Inference-backed compatibility routes over HTTP against the inference stand-in: tokenize and
// similarity-matrix-pred send the inference server's own wire fields and answer its results;
// hidden models are 404 before anything is sent; a model without a host is 503 naming INFERENCE_HOSTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { expectError } from './fixtures/error-body.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';

let ctx: TestContext;
let double: InferenceDouble;
let bob: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload: unknown, key?: string) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  double = await startInferenceDouble({ model: 'gpt2-small' });
  // gpt2-small and bob-secret have a host; "unserved" has none.
  ctx = await buildTestApp({ INFERENCE_HOSTS: `gpt2-small=${double.url}; bob-secret=${double.url}`, INFERENCE_SECRET: double.secret });
  bob = await userWithKey(ctx.database.db, 'bob');
  await seedSource(ctx.database.db, { features: 1, activationsPerFeature: 1 });
  await seedSource(ctx.database.db, { modelId: 'bob-secret', visibility: 'PRIVATE', creatorId: bob.user.id, features: 1 });
  await seedSource(ctx.database.db, { modelId: 'unserved', features: 1, activationsPerFeature: 1 });
});
afterAll(async () => {
  await ctx?.close();
  await double?.close();
});

describe('tokenize', () => {
  it("sends {model, text, prependBos} and answers the server's tokens", async () => {
    const res = await post('/api/tokenize', { prompt: 'hello big world', modelId: 'gpt2-small' });
    expect(res.statusCode).toBe(200);
    expect(res.json().tokenStrings).toEqual(['<|endoftext|>', 'hello', ' big', ' world']);
    expect(res.json().tokens[0]).toBe(50256);
    expect(res.json().prependBos).toBe(true);
    expect(double.requests.at(-1)).toMatchObject({
      path: '/v1/tokenize',
      body: { model: 'gpt2-small', text: 'hello big world', prependBos: true },
    });
    const noBos = (await post('/api/tokenize', { prompt: 'hi', modelId: 'gpt2-small', prependBos: false })).json();
    expect(noBos).toMatchObject({ tokenStrings: ['hi'], prependBos: false });
  });

  it('refuses hidden models (404, nothing sent), unserved ones (503 naming INFERENCE_HOSTS), bad bodies (400)', async () => {
    const before = double.requests.length;
    expectError(await post('/api/tokenize', { prompt: 'x', modelId: 'bob-secret' }), 404, 'NOT_FOUND');
    expect(double.requests.length).toBe(before);
    const unserved = await post('/api/tokenize', { prompt: 'x', modelId: 'unserved' });
    expectError(unserved, 503, 'SERVICE_NOT_CONFIGURED');
    expect(unserved.json().message).toContain('INFERENCE_HOSTS');
    expectError(await post('/api/tokenize', { prompt: '', modelId: 'gpt2-small' }), 400, 'VALIDATION_ERROR');
    expectError(await post('/api/tokenize', { prompt: 'x'.repeat(10_001), modelId: 'gpt2-small' }), 400, 'VALIDATION_ERROR');
  });
});

describe('similarity-matrix-pred', () => {
  it('sends {modelId, sourceId, index, text} to the source set’s host and answers the matrix', async () => {
    const res = await post('/api/similarity-matrix-pred', { modelId: 'gpt2-small', sourceId: '6-res-jb', text: 'a b c' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.tokens).toEqual(['a', ' b', ' c']);
    expect(body.similarity_matrix).toHaveLength(3);
    expect(body.similarity_matrix[1][1]).toBe(1);
    expect(double.requests.at(-1)).toMatchObject({
      path: '/v1/util/similarity-matrix-pred',
      body: { modelId: 'gpt2-small', sourceId: '6-res-jb', index: 0, text: 'a b c' },
    });
    const long = await post('/api/similarity-matrix-pred', { modelId: 'gpt2-small', sourceId: '6-res-jb', text: 'x'.repeat(701) });
    expectError(long, 400, 'BAD_REQUEST');
    expect(long.json().message).toBe('Text is too long. The maximum allowed is 700 characters. Your text is 701 characters long.');
    expectError(await post('/api/similarity-matrix-pred', { modelId: 'bob-secret', sourceId: '6-res-jb', text: 'a' }), 404, 'NOT_FOUND');
    // Its owner may (the seeded model's tlensId is gpt2-small, which the stand-in holds).
    expect(
      (await post('/api/similarity-matrix-pred', { modelId: 'bob-secret', sourceId: '6-res-jb', text: 'a' }, bob.key)).statusCode,
    ).toBe(200);
  });
});
