// Inference-backed compatibility routes over HTTP against the inference stand-in, and upstream's
// changes since May 2026 to steer-load and search-topk-by-token: tokenize,
// similarity-matrix-pred, cossim and model/head-attention/get send the inference server's own wire fields and answer its results;
// hidden models are 404 before anything is sent; a model without a host is 503 naming INFERENCE_HOSTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steerOutput } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { expectError } from './fixtures/error-body.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';

let ctx: TestContext;
let double: InferenceDouble;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload: unknown, key?: string) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  double = await startInferenceDouble({ model: 'gpt2-small' });
  // gpt2-small and bob-secret have a host; "unserved" has none.
  ctx = await buildTestApp({ INFERENCE_HOSTS: `gpt2-small=${double.url}; bob-secret=${double.url}`, INFERENCE_SECRET: double.secret });
  alice = await userWithKey(ctx.database.db, 'alice');
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

describe('cossim', () => {
  const body = { modelId: 'gpt2-small', source: '6-res-jb', index: '0', targetModelId: 'gpt2-small', targetSourceId: '6-res-jb' };

  it('names an SAE feature to the target source set’s host, 10 results, the answer at the top level as the feature page reads it', async () => {
    const res = await post('/api/cossim', body);
    expect(res.statusCode).toBe(200);
    expect(double.requests.at(-1)).toMatchObject({
      path: '/v1/util/sae-topk-by-decoder-cossim',
      body: { feature: { model: 'gpt2-small', source: '6-res-jb', index: 0 }, model: 'gpt2-small', source: '6-res-jb', numResults: 10 },
    });
    expect(double.requests.at(-1)!.body).not.toHaveProperty('vector');
    const top = res.json().topkDecoderCossimFeatures;
    expect(top).toHaveLength(10);
    expect(top[0].feature).toMatchObject({ model: 'gpt2-small', source: '6-res-jb' });
    expect(top[0].cosineSimilarity).toBeGreaterThanOrEqual(top[9].cosineSimilarity);
    // Upstream's yup number(): a numeric index is the same feature.
    expect((await post('/api/cossim', { ...body, index: 0 })).json()).toEqual(res.json());
  });

  it("sends an uploaded vector's stored values; hidden features and targets are 404 with nothing sent", async () => {
    const values = Array.from({ length: 768 }, (_, i) => ((i % 5) - 2) / 4);
    const made = await post(
      '/api/vector/new',
      {
        modelId: 'gpt2-small',
        layerNumber: 6,
        hookType: 'hook_resid_pre',
        vector: values,
        vectorLabel: 'v',
        vectorDefaultSteerStrength: 5,
      },
      alice.key,
    );
    expect(made.statusCode).toBe(200);
    const { source, index } = made.json().vector;
    const res = await post('/api/cossim', { ...body, source, index }, alice.key);
    expect(res.statusCode).toBe(200);
    const sent = double.requests.at(-1)!.body;
    expect(sent.vector).toEqual(values);
    expect(sent).not.toHaveProperty('feature');
    expect(sent).toMatchObject({ model: 'gpt2-small', source: '6-res-jb', numResults: 10 });
    expect(res.json().topkDecoderCossimFeatures).toHaveLength(10);

    const before = double.requests.length;
    expectError(await post('/api/cossim', { ...body, targetModelId: 'bob-secret' }, alice.key), 404, 'NOT_FOUND');
    expectError(await post('/api/cossim', { ...body, modelId: 'bob-secret' }, alice.key), 404, 'NOT_FOUND');
    expect(double.requests.length).toBe(before);
    const unserved = await post('/api/cossim', { ...body, targetModelId: 'unserved' });
    expectError(unserved, 503, 'SERVICE_NOT_CONFIGURED');
    expect(unserved.json().message).toContain('INFERENCE_HOSTS');
    const { targetSourceId: _omitted, ...incomplete } = body;
    expectError(await post('/api/cossim', incomplete), 400, 'VALIDATION_ERROR');
  });
});

describe('model/head-attention/get', () => {
  it('sends {model, prompt, layer, head} and answers a custom head sequence', async () => {
    const res = await post('/api/model/head-attention/get', { modelId: 'gpt2-small', layer: '3', headIndex: 5, text: 'the cat sat' });
    expect(res.statusCode).toBe(200);
    expect(double.requests.at(-1)).toMatchObject({
      path: '/v1/activation/attention',
      body: { model: 'gpt2-small', prompt: 'the cat sat', layer: 3, head: 5 },
    });
    const body = res.json();
    expect(body).toMatchObject({ id: 'custom-3-5', layer: 3, headIndex: 5, interval: 0, tokens: ['<|endoftext|>', 'the', ' cat', ' sat'] });
    // Causal over 4 tokens: 1+2+3+4 entries, flat q*seqLen+k indexes.
    expect(body.attentionIndices).toHaveLength(10);
    expect(body.attentionIndices.at(-1)).toBe(15);
    expect(body.maxActivation).toBe(Math.max(...body.attentionValues));
    expect(body).not.toHaveProperty('seqLen');
  });

  it("blank text is upstream's 400; bad head numbers 400; hidden models 404; no host 503", async () => {
    const blank = await post('/api/model/head-attention/get', { modelId: 'gpt2-small', layer: 0, headIndex: 0, text: '   ' });
    expectError(blank, 400, 'BAD_REQUEST');
    expect(blank.json().message).toBe('Please enter some text.');
    expectError(
      await post('/api/model/head-attention/get', { modelId: 'gpt2-small', layer: 'x', headIndex: 0, text: 'a' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await post('/api/model/head-attention/get', { modelId: 'bob-secret', layer: 0, headIndex: 0, text: 'a' }),
      404,
      'NOT_FOUND',
    );
    const unserved = await post('/api/model/head-attention/get', { modelId: 'unserved', layer: 0, headIndex: 0, text: 'a' });
    expectError(unserved, 503, 'SERVICE_NOT_CONFIGURED');
  });
});

describe('upstream changes since May 2026', () => {
  it('search-topk-by-token with ignoreBos drops every special token, a trailing EOS too (the server drops position 0 only)', async () => {
    const body = { modelId: 'gpt2-small', source: '6-res-jb', text: 'hello world <|endoftext|>' };
    const dropped = await post('/api/search-topk-by-token', body);
    expect(dropped.statusCode).toBe(200);
    expect(double.requests.at(-1)!.body).toMatchObject({ prompt: body.text, ignoreBos: true });
    expect(dropped.json().results.map((r: { token: string }) => r.token)).toEqual(['hello', ' world']);
    const kept = (await post('/api/search-topk-by-token', { ...body, ignoreBos: false })).json();
    expect(kept.results.map((r: { isSpecial: boolean }) => r.isSpecial)).toEqual([true, false, false, true]);
    // Several texts: as upstream, not filtered; isSpecial passed through for the caller.
    const batch = (await post('/api/search-topk-by-token', { ...body, text: [body.text] })).json();
    expect(batch.results[0].results.map((r: { token: string; isSpecial: boolean }) => [r.token, r.isSpecial])).toEqual([
      ['hello', false],
      [' world', false],
      [' <|endoftext|>', true],
    ]);
  });

  it('steer-load says outputTextIncludesPrompt for completions saved before version 2 (not chats, not newer rows)', async () => {
    const settings = { modelId: 'gpt2-small', temperature: 0.5, numTokens: 4, freqPenalty: 1, seed: 16, strengthMultiplier: 4 };
    const row = (id: string, type: 'DEFAULT' | 'STEERED', version: number, chat: boolean, connected?: string) => ({
      ...settings,
      id,
      type,
      version,
      inputText: 'Hello',
      inputTextMd5: `md5-${version}-${chat}`,
      outputText: type === 'STEERED' ? 'Hello there' : 'Hello you',
      outputTextChatTemplate: chat ? JSON.stringify([{ role: 'model', content: 'there' }]) : null,
      connectedDefaultOutputId: connected ?? null,
    });
    await ctx.database.db
      .insert(steerOutput)
      .values([
        row('old-default', 'DEFAULT', 1, false),
        row('old-steered', 'STEERED', 1, false, 'old-default'),
        row('old-chat-default', 'DEFAULT', 1, true),
        row('old-chat-steered', 'STEERED', 1, true, 'old-chat-default'),
        row('new-default', 'DEFAULT', 2, false),
        row('new-steered', 'STEERED', 2, false, 'new-default'),
      ]);
    const load = async (id: string) => {
      const res = await post('/api/steer-load', { steerOutputId: id });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect(await load('old-steered')).toMatchObject({
      outputTextIncludesPrompt: true,
      STEERED: { raw: 'Hello there' },
      DEFAULT: { raw: 'Hello you' },
    });
    expect((await load('old-chat-steered')).outputTextIncludesPrompt).toBe(false);
    expect((await load('new-steered')).outputTextIncludesPrompt).toBe(false);
  });
});
