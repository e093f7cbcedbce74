// Explanation generation (eleuther_acts_top20) against the stand-in LLM: the prompt sent, the row
// stored, and every error path.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activation, explanation, explanationModelType, explanationType } from '../src/db/schema/index.js';
import { markExample, selectExamples } from '../src/services/explanation/explainer.js';
import { startEmbeddingsDouble, type EmbeddingsDouble } from './doubles/embeddings-server.js';
import { startLlmDouble, type LlmDouble } from './doubles/llm-server.js';
import { seedExplanationNames, seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { buildTestApp, type TestContext } from './helper.js';

describe('example selection and marking', () => {
  it('keeps the top 20 distinct examples and marks tokens above 0.6 of each max, neighbours together', () => {
    expect(markExample({ tokens: ['a', ' big', ' dog', ' ran'], values: [0, 7, 10, 1], maxValue: 10 })).toBe('a<< big dog>> ran');
    expect(markExample({ tokens: ['x', 'y'], values: [0, 6], maxValue: 6 })).toBe('x<<y>>');
    expect(markExample({ tokens: ['x', 'y'], values: [0, 0], maxValue: 0 })).toBe('xy');
    const many = Array.from({ length: 30 }, (_, i) => ({ id: String(i), tokens: [`t${i % 25}`], values: [i], maxValue: i }));
    const picked = selectExamples(many);
    expect(picked).toHaveLength(20);
    expect(picked[0]!.maxValue).toBe(29);
    expect(new Set(picked.map((p) => p.tokens[0])).size).toBe(20);
  });
});

describe('POST /api/explanation/generate', () => {
  let llm: LlmDouble;
  let embeddings: EmbeddingsDouble;
  let ctx: TestContext;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  const body = {
    modelId: 'gpt2-small',
    layer: '6-res-jb',
    index: 1,
    explanationType: 'eleuther_acts_top20',
    explanationModelName: 'gpt-4o-mini',
  };
  const generate = (payload: object, key = alice.key) =>
    ctx.app.inject({ method: 'POST', url: '/api/explanation/generate', payload, headers: { 'x-api-key': key } });

  beforeAll(async () => {
    llm = await startLlmDouble();
    embeddings = await startEmbeddingsDouble();
    ctx = await buildTestApp({ LLM_URL: llm.url, LLM_API_KEY: 'sk-llm', EMBEDDING_URL: embeddings.url, LLM_RETRIES: '1' });
    alice = await userWithKey(ctx.database.db, 'alice');
    await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 0 });
    const now = new Date();
    await ctx.database.db.insert(explanationType).values({
      name: 'eleuther_acts_top20',
      displayName: 'x',
      description: 'x',
      creatorName: 'x',
      creatorId: 'x',
      createdAt: now,
      updatedAt: now,
    });
    await ctx.database.db.insert(explanationType).values({
      name: 'oai_token-act-pair',
      displayName: 'x',
      description: 'x',
      creatorName: 'x',
      creatorId: 'x',
      createdAt: now,
      updatedAt: now,
    });
    await ctx.database.db.insert(explanationModelType).values({
      name: 'gpt-4o-mini',
      displayName: 'x',
      description: 'x',
      creatorName: 'x',
      openRouterModelId: 'openai/gpt-4o-mini',
      createdAt: now,
      updatedAt: now,
    });
    // Feature 1: 25 examples, "dog" is the strongest token of each; 3 duplicates to drop.
    const rows = Array.from({ length: 28 }, (_, i) => {
      const n = i % 25;
      const values = [0, 1, 5 + n, 0.5];
      return {
        id: `act-${i}`,
        modelId: 'gpt2-small',
        layer: '6-res-jb',
        index: '1',
        tokens: [`s${n}`, ' the', ' dog', ' ran'],
        values,
        maxValue: 5 + n,
        maxValueTokenIndex: 2,
        minValue: 0,
        creatorId: 'x',
      };
    });
    await ctx.database.db.insert(activation).values(rows);
  });
  afterAll(async () => {
    await ctx?.close();
    await llm?.close();
    await embeddings?.close();
  });

  it('sends the top 20 distinct examples with marked tokens, and stores the parsed explanation', async () => {
    const res = await generate(body);
    expect(res.statusCode, res.body).toBe(200);
    const created = res.json().explanation;
    expect(created).toMatchObject({
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: '1',
      description: 'dog',
      typeName: 'eleuther_acts_top20',
      explanationModelName: 'gpt-4o-mini',
      authorId: alice.user.id,
      triggeredByUserId: alice.user.id,
    });
    expect(created).not.toHaveProperty('embedding');

    const sent = llm.requests.at(-1)!;
    expect(sent).toMatchObject({ model: 'openai/gpt-4o-mini', max_tokens: 500, temperature: 1, authorization: 'Bearer sk-llm' });
    expect(sent.messages).toHaveLength(8);
    expect(sent.messages[0]!.role).toBe('system');
    expect(sent.messages[0]!.content).toContain('[EXPLANATION]:');
    const lines = sent.messages[7]!.content.trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('Example 1: s24 the<< dog>> ran');
    expect(lines[19]).toBe('Example 20: s5 the<< dog>> ran');

    const [stored] = await ctx.database.db.select().from(explanation).where(eq(explanation.id, created.id));
    expect(stored!.embedding).toHaveLength(256);
    const feature = (await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' })).json();
    expect(feature.explanations.some((e: { id: string }) => e.id === created.id)).toBe(true);
  });

  it('refuses a second explanation of the same type and model, as upstream', async () => {
    const res = await generate(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('An auto-interp with this explanation type and model already exists.');
  });

  it('retries an answer that does not parse once, then reports it and stores nothing', async () => {
    llm.garbleNext = 1;
    const retried = await generate({ ...body, index: 2 });
    expect(retried.statusCode).toBe(400); // feature 2 has no activations
    await ctx.database.db.insert(activation).values({
      id: 'act-f0',
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: '0',
      tokens: ['a', ' cat'],
      values: [0, 3],
      maxValue: 3,
      maxValueTokenIndex: 1,
      minValue: 0,
      creatorId: 'x',
    });
    llm.garbleNext = 1;
    const ok = await generate({ ...body, index: 0 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().explanation.description).toBe('cat');
    await ctx.database.db.delete(explanation).where(and(eq(explanation.index, '0'), eq(explanation.typeName, 'eleuther_acts_top20')));
    llm.garbleNext = 2;
    const failed = await generate({ ...body, index: 0 });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error).toMatch(/without an "\[EXPLANATION\]:" line/);
    const stored = await ctx.database.db
      .select()
      .from(explanation)
      .where(and(eq(explanation.index, '0'), eq(explanation.typeName, 'eleuther_acts_top20')));
    expect(stored).toEqual([]);
  });

  it('retries server errors, then answers 502; a slow LLM is a 504', async () => {
    llm.failNext = 1;
    expect((await generate({ ...body, index: 0 })).statusCode).toBe(200); // one retry succeeds
    await ctx.database.db.delete(explanation).where(and(eq(explanation.index, '0'), eq(explanation.typeName, 'eleuther_acts_top20')));
    llm.failNext = 5;
    const failed = await generate({ ...body, index: 0 });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().code).toBe('UPSTREAM_ERROR');
    llm.failNext = 0;
    const slowCtx = await buildTestApp({ LLM_URL: llm.url, LLM_TIMEOUT_MS: '200' });
    try {
      const user = await userWithKey(slowCtx.database.db, 'sam');
      await seedSource(slowCtx.database.db, { features: 1, activationsPerFeature: 2 });
      await seedExplanationNames(slowCtx.database.db, { types: ['eleuther_acts_top20'], models: ['gpt-4o-mini'] });
      llm.delayMs = 1000;
      const slow = await slowCtx.app.inject({
        method: 'POST',
        url: '/api/explanation/generate',
        payload: { ...body, index: 0 },
        headers: { 'x-api-key': user.key },
      });
      expect(slow.statusCode).toBe(504);
      expect(slow.json().code).toBe('UPSTREAM_TIMEOUT');
    } finally {
      llm.delayMs = 0;
      await slowCtx.close();
    }
  });

  it('checks types, models, the feature and the caller', async () => {
    expect((await generate({ ...body, explanationType: 'nope' })).json().error).toBe('Unsupported explanation type');
    expect((await generate({ ...body, explanationModelName: 'nope' })).json().error).toBe('Unsupported explanation model');
    expect((await generate({ ...body, explanationType: 'oai_token-act-pair' })).json().error).toMatch(
      /does not generate oai_token-act-pair/,
    );
    expect((await generate({ ...body, modelId: 'nope' })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/explanation/generate', payload: body })).statusCode).toBe(401);
  });

  it('serves the docs page path with the same implementation', async () => {
    await ctx.database.db.delete(explanation).where(and(eq(explanation.index, '1'), eq(explanation.typeName, 'eleuther_acts_top20')));
    const { explanationType: _t, ...docsBody } = body;
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/explanation-type/eleuther_acts_top20',
      payload: docsBody,
      headers: { 'x-api-key': alice.key },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().explanation.description).toBe('dog');
  });
});

describe('without an LLM', () => {
  it('answers 503 naming the setting', async () => {
    const ctx = await buildTestApp();
    try {
      const user = await userWithKey(ctx.database.db, 'u');
      await seedExplanationNames(ctx.database.db, { types: ['eleuther_acts_top20'], models: ['m'] });
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/explanation/generate',
        headers: { 'x-api-key': user.key },
        payload: { modelId: 'x', layer: '0-x', index: 0, explanationType: 'eleuther_acts_top20', explanationModelName: 'm' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'SERVICE_NOT_CONFIGURED' });
      expect(res.json().error).toMatch(/LLM_URL/);
    } finally {
      await ctx.close();
    }
  });
});
