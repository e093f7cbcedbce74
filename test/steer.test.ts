// Steering through the stand-in inference server: /api/steer, /api/steer-chat and /api/steer-load,
// the steering cache, streaming (frames in order, readable as they come), failures mid-stream,
// access rules, validation and the steering rate limit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createParser } from 'eventsource-parser';
import { count, eq } from 'drizzle-orm';
import { model, steerOutput, steerOutputToNeuron } from '../src/db/schema/index.js';
import { chatTemplate, startInferenceDouble, steerToken, type InferenceDouble } from './doubles/inference-server.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const SOURCE = '6-res-jb';
const feature = (index: number, strength: number) => ({ modelId: 'gpt2-small', layer: SOURCE, index, strength });
const completionBody = (overrides: object = {}) => ({
  prompt: 'The most iconic structure on Earth is',
  modelId: 'gpt2-small',
  features: [feature(1, 40), feature(2, -10)],
  temperature: 0.5,
  n_tokens: 6,
  seed: 16,
  strength_multiplier: 4,
  ...overrides,
});

/** The text the stand-in generates for the request it received. */
const expectedText = (type: 'DEFAULT' | 'STEERED', prompt: string, sent: Record<string, unknown>) =>
  Array.from({ length: sent.nCompletionTokens as number }, (_, i) => steerToken(type, prompt, sent, i)).join('');

interface Frame {
  event: string | undefined;
  data: Record<string, unknown>;
  at: number;
}

/** POSTs over real HTTP and collects server-sent events with their arrival times. */
async function streamFrames(base: string, path: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const frames: Frame[] = [];
  const parser = createParser({
    onEvent: (e) => frames.push({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown>, at: Date.now() }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return { response, frames, endedAt: Date.now() };
}

describe('steering', () => {
  let double: InferenceDouble;
  let ctx: TestContext;
  let base: string;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let bob: Awaited<ReturnType<typeof userWithKey>>;
  const post = (url: string, payload: unknown, key?: string) =>
    ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });
  const savedCount = async () => (await ctx.database.db.select({ n: count() }).from(steerOutput))[0]!.n;

  beforeAll(async () => {
    double = await startInferenceDouble();
    ctx = await buildTestApp({ INFERENCE_HOSTS: `*=${double.url}`, INFERENCE_SECRET: double.secret, RATE_LIMITS: 'steer=1000' });
    alice = await userWithKey(ctx.database.db, 'alice');
    bob = await userWithKey(ctx.database.db, 'bob');
    await seedSource(ctx.database.db, { features: 4, activationsPerFeature: 0 });
    await ctx.database.db.update(model).set({ tlensId: 'gpt2-small-tl', dimension: 4 }).where(eq(model.id, 'gpt2-small'));
    await seedSource(ctx.database.db, { modelId: 'thinker', features: 1, activationsPerFeature: 0 });
    await ctx.database.db.update(model).set({ thinking: true }).where(eq(model.id, 'thinker'));
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });

  it('generates STEERED and DEFAULT in one request per type, saves them, and returns id, shareUrl and limit', async () => {
    double.requests = [];
    const res = await post('/api/steer/', completionBody(), alice.key);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(double.requests.map((r) => r.path)).toEqual(['/v1/steer/completion', '/v1/steer/completion']);
    const sentSteered = double.requests.find((r) => (r.body.types as string[])[0] === 'STEERED')!;
    const sentDefault = double.requests.find((r) => (r.body.types as string[])[0] === 'DEFAULT')!;
    expect(sentSteered.body).toEqual({
      types: ['STEERED'],
      prompt: 'The most iconic structure on Earth is',
      model: 'gpt2-small-tl',
      features: [
        { model: 'gpt2-small', source: SOURCE, index: 1, strength: 40 },
        { model: 'gpt2-small', source: SOURCE, index: 2, strength: -10 },
      ],
      strengthMultiplier: 4,
      nCompletionTokens: 6,
      temperature: 0.5,
      freqPenalty: 1,
      seed: 16,
      steerMethod: 'SIMPLE_ADDITIVE',
      normalizeSteering: false,
      nLogprobs: 5,
      stream: false,
    });
    expect(sentSteered.headers['x-secret-key']).toBe(double.secret);
    expect(body.STEERED).toBe(
      expectedText('STEERED', body.STEERED === null ? '' : 'The most iconic structure on Earth is', sentSteered.body),
    );
    expect(body.DEFAULT).toBe(expectedText('DEFAULT', 'The most iconic structure on Earth is', sentDefault.body));
    expect(body.STEERED).not.toBe(body.DEFAULT);
    expect(body.steeredLogProbs).toHaveLength(6);
    expect(body.steeredLogProbs[0]).toMatchObject({
      token: expect.any(String),
      logprob: expect.any(Number),
      topLogprobs: expect.any(Array),
    });
    expect(body.steeredLogProbs[0].topLogprobs).toHaveLength(5);
    expect(body.id).toEqual(expect.any(String));
    expect(body.shareUrl).toBe(`http://mirror.test/steer/${body.id}`);
    expect(body.limit).toBe('999');

    const [saved] = await ctx.database.db.select().from(steerOutput).where(eq(steerOutput.id, body.id));
    expect(saved).toMatchObject({
      type: 'STEERED',
      modelId: 'gpt2-small',
      outputText: body.STEERED,
      numTokens: 6,
      seed: 16,
      strengthMultiplier: 4,
      version: 2,
      creatorId: alice.user.id,
    });
    const links = await ctx.database.db.select().from(steerOutputToNeuron).where(eq(steerOutputToNeuron.steerOutputId, body.id));
    expect(links.map((l) => [l.index, l.strength]).sort()).toEqual([
      ['1', 40],
      ['2', -10],
    ]);
  });

  it('answers an identical request from the cache, and reuses DEFAULT for another feature set', async () => {
    const first = (await post('/api/steer', completionBody(), alice.key)).json();
    double.requests = [];
    const again = await post(
      '/api/steer',
      { ...completionBody(), features: [feature(2, -10), feature('1' as unknown as number, 40)] },
      alice.key,
    );
    expect(again.statusCode).toBe(200);
    expect(double.requests).toHaveLength(0);
    expect(again.json()).toMatchObject({
      STEERED: first.STEERED,
      DEFAULT: first.DEFAULT,
      id: first.id,
      steeredLogProbs: first.steeredLogProbs,
    });
    expect(Number(again.json().limit)).toBe(Number(first.limit) - 1); // a cache hit still counts

    const stronger = await post('/api/steer', completionBody({ features: [feature(1, 41), feature(2, -10)] }), alice.key);
    expect(stronger.statusCode).toBe(200);
    expect(double.requests.map((r) => (r.body.types as string[])[0])).toEqual(['STEERED']);
    expect(stronger.json().DEFAULT).toBe(first.DEFAULT);
    expect(stronger.json().STEERED).not.toBe(first.STEERED);
    expect(stronger.json().id).not.toBe(first.id);
  });

  it('streams frames in order as they are generated; the last carries id and shareUrl', async () => {
    double.frameDelayMs = 40;
    const before = await savedCount();
    const { response, frames, endedAt } = await streamFrames(base, '/api/steer', completionBody({ seed: 99, stream: true }), {
      'x-api-key': alice.key,
    });
    double.frameDelayMs = 0;
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(frames.length).toBeGreaterThanOrEqual(6);
    // The client reads frames as they come, not all at the end.
    expect(endedAt - frames[0]!.at).toBeGreaterThan(100);
    let previous = '';
    for (const frame of frames.slice(0, -1)) {
      expect(frame.event).toBeUndefined();
      const text = `${frame.data.STEERED ?? ''}|${frame.data.DEFAULT ?? ''}`;
      expect(text.length).toBeGreaterThanOrEqual(previous.length);
      expect(frame.data.id).toBeNull();
      previous = text;
    }
    const last = frames.at(-1)!.data;
    expect(last.id).toEqual(expect.any(String));
    expect(last.shareUrl).toBe(`http://mirror.test/steer/${last.id}`);
    expect((last.STEERED as string).split(' ').length - 1).toBe(6);
    expect(await savedCount()).toBe(before + 2);
    expect(double.requests.at(-1)!.body.stream).toBe(true);

    const cached = await post('/api/steer', completionBody({ seed: 99 }), alice.key);
    expect(cached.json()).toMatchObject({ STEERED: last.STEERED, DEFAULT: last.DEFAULT, id: last.id });
  });

  it('ends the stream with an error event and saves nothing when the inference server dies midway', async () => {
    const before = await savedCount();
    double.dropStreamAfterFrames = 2;
    double.frameDelayMs = 20;
    const { response, frames } = await streamFrames(base, '/api/steer', completionBody({ seed: 7, stream: true, features: [] }), {
      'x-api-key': alice.key,
    });
    double.frameDelayMs = 0;
    expect(response.status).toBe(200);
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({ code: 'UPSTREAM_ERROR', statusCode: 502 });
    expect(String(last.data.message)).toContain('closed the stream');
    expect(frames.filter((f) => f.event === undefined)).toHaveLength(2);
    expect(await savedCount()).toBe(before);

    double.dropStreamAfterFrames = 2;
    const plain = await post('/api/steer', completionBody({ seed: 7, features: [] }), alice.key);
    expect(plain.statusCode).toBe(200); // non-streaming requests do not stream from the server
    expect(plain.json().STEERED).toBeNull();
    double.dropStreamAfterFrames = undefined;
  });

  it('stops generating and saves nothing when the client goes away mid-stream', async () => {
    const before = await savedCount();
    double.frameDelayMs = 50;
    double.abandoned = [];
    const abort = new AbortController();
    const response = await fetch(`${base}/api/steer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(completionBody({ seed: 4242, stream: true, n_tokens: 40 })),
      signal: abort.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first frame
    abort.abort();
    // The stand-in needs 40 × 50 ms to finish: a server that follows the disconnect hangs up on both
    // of its streams (DEFAULT and STEERED) long before that; one that ignores it lets them finish.
    await vi.waitFor(() => expect(double.abandoned.map((r) => r.body.types)).toEqual(expect.arrayContaining([['DEFAULT'], ['STEERED']])), {
      timeout: 1000,
      interval: 20,
    });
    expect(double.abandoned).toHaveLength(2);
    double.frameDelayMs = 0;
    expect(await savedCount()).toBe(before);
    // Nothing was cached: the same request runs the model again.
    double.requests = [];
    expect((await post('/api/steer', completionBody({ seed: 4242, n_tokens: 40 }))).statusCode).toBe(200);
    expect(double.requests).toHaveLength(2);
  });

  it('steer-chat generates both replies, caches them, and steer-load returns the pair', async () => {
    const messages = [{ role: 'user', content: 'Tell me about dogs' }];
    const chat = {
      defaultChatMessages: messages,
      steeredChatMessages: messages,
      modelId: 'gpt2-small',
      features: [feature(3, 20)],
      temperature: 0.2,
      n_tokens: 5,
      seed: 1,
      strength_multiplier: 2,
      steer_special_tokens: true,
    };
    double.requests = [];
    const res = await post('/api/steer-chat/', chat, bob.key);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const sent = double.requests.find((r) => (r.body.types as string[])[0] === 'STEERED')!;
    expect(sent.path).toBe('/v1/steer/completion-chat');
    expect(sent.body).toMatchObject({
      prompt: messages,
      steerSpecialTokens: true,
      isAssistantAxis: false,
      model: 'gpt2-small-tl',
      features: [{ model: 'gpt2-small', source: SOURCE, index: 3, strength: 20 }],
    });
    const generated = expectedText('STEERED', chatTemplate(messages), sent.body);
    expect(body.STEERED).toMatchObject({
      raw: chatTemplate(messages) + generated,
      chatTemplate: [...messages, { role: 'model', content: generated }],
    });
    expect(body.DEFAULT.raw).not.toBe(body.STEERED.raw);
    expect(body.settings).toEqual({
      temperature: 0.2,
      n_tokens: 5,
      freq_penalty: 1,
      seed: 1,
      strength_multiplier: 2,
      steer_special_tokens: true,
      steer_method: 'SIMPLE_ADDITIVE',
    });
    expect(body.id).toEqual(expect.any(String));

    double.requests = [];
    const again = await post('/api/steer-chat', chat, bob.key);
    expect(double.requests).toHaveLength(0);
    expect(again.json()).toMatchObject({ STEERED: body.STEERED, DEFAULT: body.DEFAULT, id: body.id });

    const loaded = await post('/api/steer-load', { steerOutputId: body.id });
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(loaded.json()).toMatchObject({
      STEERED: body.STEERED,
      DEFAULT: body.DEFAULT,
      id: body.id,
      shareUrl: body.shareUrl,
      settings: body.settings,
      inputText: chatTemplate(messages),
      outputTextIncludesPrompt: false,
    });
    expect(loaded.json().features).toMatchObject([
      { modelId: 'gpt2-small', layer: SOURCE, index: '3', strength: 20, neuron: { explanations: expect.any(Array) } },
    ]);

    const completion = (await post('/api/steer', completionBody(), alice.key)).json();
    const loadedCompletion = (await post('/api/steer-load', { steerOutputId: completion.id })).json();
    expect(loadedCompletion).toMatchObject({
      STEERED: { raw: completion.STEERED, chatTemplate: null },
      DEFAULT: { raw: completion.DEFAULT },
      inputText: 'The most iconic structure on Earth is',
    });
    expect((await post('/api/steer-load', { steerOutputId: 'no-such-id' })).statusCode).toBe(404);
    expect((await post('/api/steer-load', {})).statusCode).toBe(400);
  });

  it("private vectors are steered by their owner only, and can't be mixed with SAE features", async () => {
    const created = await post(
      '/api/vector/new',
      {
        modelId: 'gpt2-small',
        layerNumber: 2,
        hookType: 'hook_resid_pre',
        vector: [1, 0, -1, 0.5],
        vectorLabel: 'v',
        vectorDefaultSteerStrength: 10,
      },
      alice.key,
    );
    expect(created.statusCode, created.body).toBe(200);
    const vec = { modelId: 'gpt2-small', layer: created.json().vector.source, index: created.json().vector.index, strength: 8 };
    double.requests = [];
    const mine = await post('/api/steer', completionBody({ features: [vec], seed: 5 }), alice.key);
    expect(mine.statusCode, mine.body).toBe(200);
    const sent = double.requests.find((r) => (r.body.types as string[])[0] === 'STEERED')!;
    expect(sent.body.vectors).toEqual([{ hook: 'blocks.2.hook_resid_pre', steeringVector: [1, 0, -1, 0.5], strength: 8 }]);
    expect(sent.body).not.toHaveProperty('features');

    const notFound = await post('/api/steer', completionBody({ features: [vec], seed: 5 }), bob.key);
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().message).toContain('is not available');
    expect((await post('/api/steer', completionBody({ features: [vec], seed: 5 }))).statusCode).toBe(404);
    expect((await post('/api/steer-load', { steerOutputId: mine.json().id }, bob.key)).statusCode).toBe(404);
    expect((await post('/api/steer-load', { steerOutputId: mine.json().id }, alice.key)).statusCode).toBe(200);

    const mixed = await post('/api/steer', completionBody({ features: [vec, feature(1, 3)] }), alice.key);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().message).toBe("Can't steer both vector and non-vector features");
  });

  it('rejects bad input with 400 (or 404 for unknown models and features) before calling the model', async () => {
    double.requests = [];
    const chat = {
      defaultChatMessages: [{ role: 'user', content: 'hi' }],
      steeredChatMessages: [{ role: 'user', content: 'hi' }],
      modelId: 'gpt2-small',
      features: [],
      temperature: 0,
      n_tokens: 5,
      seed: 1,
      strength_multiplier: 1,
      steer_special_tokens: true,
    };
    const cases: Array<[string, object, number, string?]> = [
      ['/api/steer', completionBody({ n_tokens: 257 }), 400],
      ['/api/steer', completionBody({ n_tokens: 0 }), 400],
      ['/api/steer', completionBody({ temperature: 3 }), 400],
      ['/api/steer', completionBody({ strength_multiplier: 11 }), 400],
      ['/api/steer', completionBody({ seed: 1e9 }), 400],
      ['/api/steer', completionBody({ freq_penalty: 3 }), 400],
      ['/api/steer', completionBody({ prompt: 'x'.repeat(2049) }), 400],
      ['/api/steer', completionBody({ steer_method: 'SHOUTING' }), 400],
      ['/api/steer', completionBody({ features: [feature(-1, 3)] }), 400],
      ['/api/steer', completionBody({ features: [feature(1, 'strong' as unknown as number)] }), 400],
      ['/api/steer', completionBody({ modelId: 'x\'; DROP TABLE "SteerOutput"; --' }), 404],
      ['/api/steer', completionBody({ features: [feature(999, 3)] }), 404],
      [
        '/api/steer-chat',
        { ...chat, steeredChatMessages: [{ role: 'user', content: 'x'.repeat(2049) }] },
        400,
        'Total conversation length exceeds the maximum number of characters allowed. Please click Reset to start a new conversation.',
      ],
      ['/api/steer-chat', { ...chat, n_tokens: 300 }, 400, 'The max n_tokens for non-thinking models is 256'],
      ['/api/steer-chat', { ...chat, modelId: 'thinker', n_tokens: 800 }, 400, 'For thinking models the max n_tokens is 768'],
      ['/api/steer-chat', { ...chat, defaultChatMessages: [{ role: 'robot', content: 'hi' }] }, 400],
      ['/api/steer-chat', { ...chat, steer_special_tokens: undefined }, 400],
      ['/api/steer-chat', { ...chat, features: [feature(1, -301)] }, 400],
    ];
    for (const [url, payload, status, message] of cases) {
      const res = await post(url, payload, alice.key);
      expect(res.statusCode, `${url} ${JSON.stringify(payload).slice(0, 120)}: ${res.body}`).toBe(status);
      expect(res.json().code).toBeTypeOf('string');
      if (message) expect(res.json().message).toBe(message);
    }
    expect(double.requests).toHaveLength(0);
    expect((await ctx.database.db.select({ n: count() }).from(model))[0]!.n).toBeGreaterThan(0);
  });

  it('answers 504 when the model does not answer in time, and 502 with its message when it refuses', async () => {
    const slow = await startInferenceDouble();
    const app = await buildTestApp({ INFERENCE_HOSTS: `*=${slow.url}`, INFERENCE_SECRET: slow.secret, INFERENCE_TIMEOUT_MS: '200' });
    try {
      await seedSource(app.database.db, { features: 3, activationsPerFeature: 0 });
      slow.delayMs = 1000;
      const late = await app.app.inject({ method: 'POST', url: '/api/steer', payload: completionBody() });
      expect(late.statusCode).toBe(504);
      expect(late.json().code).toBe('UPSTREAM_TIMEOUT');
      slow.delayMs = 0;
      slow.model = 'llama';
      const refused = await app.app.inject({ method: 'POST', url: '/api/steer', payload: completionBody() });
      expect(refused.statusCode).toBe(502);
      expect(refused.json().message).toContain('is not loaded');
      expect((await app.database.db.select({ n: count() }).from(steerOutput))[0]!.n).toBe(0);
    } finally {
      await app.close();
      await slow.close();
    }
  });
});

describe('steering rate limit', () => {
  it('counts every steer request per user, cache hits included, but not steer-load', async () => {
    const double = await startInferenceDouble();
    const ctx = await buildTestApp({ INFERENCE_HOSTS: `*=${double.url}`, INFERENCE_SECRET: double.secret, RATE_LIMITS: 'steer=2' });
    try {
      const carol = await userWithKey(ctx.database.db, 'carol');
      await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 0 });
      const steer = () =>
        ctx.app.inject({ method: 'POST', url: '/api/steer', payload: completionBody(), headers: { 'x-api-key': carol.key } });
      const first = await steer();
      expect(first.json().limit).toBe('1');
      expect((await steer()).json().limit).toBe('0');
      const third = await steer();
      expect(third.statusCode).toBe(429);
      expect(third.json()).toMatchObject({ code: 'RATE_LIMITED', limitPerWindow: 2 });
      const load = await ctx.app.inject({
        method: 'POST',
        url: '/api/steer-load',
        payload: { steerOutputId: first.json().id },
        headers: { 'x-api-key': carol.key },
      });
      expect(load.statusCode).toBe(200);
    } finally {
      await ctx.close();
      await double.close();
    }
  });
});
