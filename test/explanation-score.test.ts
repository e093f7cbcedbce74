// Explanation scoring (eleuther_fuzz, eleuther_recall, eleuther_embedding) against the stand-ins:
// the prompts sent, the scores and breakdowns stored, and the error paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { activation, explanation, explanationScore, explanationScoreModel, explanationScoreType } from '../src/db/schema/index.js';
import { fuzzText, parsePredictions, rocAuc, scoringSamples } from '../src/services/explanation/scorers.js';
import { buildTestApp, type TestContext } from './helper.js';
import { startEmbeddingsDouble, type EmbeddingsDouble } from './doubles/embeddings-server.js';
import { startLlmDouble, type LlmDouble } from './doubles/llm-server.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

describe('scorer pieces', () => {
  it('compute ROC AUC with ties as half, and parse one 0/1 per example', () => {
    expect(rocAuc([0.9, 0.8, 0.3], [0.5, 0.3])).toBeCloseTo(4.5 / 6);
    expect(parsePredictions('Answer: [1, 0, 1]', 3)).toEqual([true, false, true]);
    expect(parsePredictions('[1, 0]', 3)).toBeUndefined();
    expect(parsePredictions('[1, 2, 0]', 3)).toBeUndefined();
    expect(parsePredictions('no list', 1)).toBeUndefined();
  });

  it('select up to 20 activating examples scaled to 10 and up to 5 zero ones; mark fuzz spans', () => {
    const acts = [
      ...Array.from({ length: 25 }, (_, i) => ({ tokens: [`a${i}`, ' dog'], values: [0, 2 + i], maxValue: 2 + i })),
      ...Array.from({ length: 7 }, (_, i) => ({ tokens: [`z${i}`, ' cat'], values: [0, 0], maxValue: 0 })),
    ];
    const { activating, zero } = scoringSamples(acts);
    expect(activating).toHaveLength(20);
    expect(zero).toHaveLength(5);
    expect(Math.max(...activating[0]!.values)).toBe(10);
    expect(fuzzText(activating[0]!, 1)).toBe('a24<< dog>>');
    expect(fuzzText(zero[0]!, 1)).toMatch(/^(<<z0>> cat|z0<< cat>>)$/);
    expect(() => scoringSamples(acts.slice(0, 25))).toThrow(/at least one activating example and one/);
  });
});

describe('POST /api/explanation/score', () => {
  let llm: LlmDouble;
  let embeddings: EmbeddingsDouble;
  let ctx: TestContext;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  const score = (payload: object, url = '/api/explanation/score') =>
    ctx.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': alice.key } });

  beforeAll(async () => {
    llm = await startLlmDouble();
    embeddings = await startEmbeddingsDouble();
    ctx = await buildTestApp({ LLM_URL: llm.url, EMBEDDING_URL: embeddings.url, EMBEDDING_MODEL: 'stella-test', LLM_RETRIES: '0' });
    alice = await userWithKey(ctx.database.db, 'alice');
    await seedSource(ctx.database.db, { features: 2, activationsPerFeature: 0 });
    const now = new Date();
    for (const name of ['eleuther_fuzz', 'eleuther_recall', 'eleuther_embedding']) {
      await ctx.database.db
        .insert(explanationScoreType)
        .values({ name, displayName: name, description: name, creatorName: 'x', creatorId: 'x', createdAt: now, updatedAt: now });
    }
    await ctx.database.db.insert(explanationScoreModel).values({
      name: 'gpt-4o-mini',
      displayName: 'x',
      description: 'x',
      creatorName: 'x',
      openRouterModelId: 'openai/gpt-4o-mini',
      createdAt: now,
      updatedAt: now,
    });
    // Feature 1: " dog" is the only active token of 20 examples; 5 examples never fire and have no dog.
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => ({ tokens: [`w${i}`, ' the', ' dog', ' ran'], values: [0, 0, 1 + i, 0] })),
      ...Array.from({ length: 5 }, (_, i) => ({ tokens: [`q${i}`, ' a', ' cat', ' sat'], values: [0, 0, 0, 0] })),
    ].map((r, i) => ({
      id: `act-s-${i}`,
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: '1',
      ...r,
      maxValue: Math.max(...r.values),
      maxValueTokenIndex: 2,
      minValue: 0,
      creatorId: 'x',
    }));
    await ctx.database.db.insert(activation).values(rows);
  });
  afterAll(async () => {
    await ctx?.close();
    await llm?.close();
    await embeddings?.close();
  });

  const explanationId = 'exp-gpt2-small-6-res-jb-1-a';
  const setDescription = (description: string) =>
    ctx.database.db.update(explanation).set({ description }).where(eq(explanation.id, explanationId));
  const clearScores = () => ctx.database.db.delete(explanationScore);

  it('fuzz: a right explanation scores 1, with the breakdown stored', async () => {
    await clearScores();
    await setDescription('the word dog');
    const res = await score({ explanationId, scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' });
    expect(res.statusCode, res.body).toBe(200);
    const stored = res.json().score;
    expect(stored).toMatchObject({
      value: 1,
      explanationId,
      explanationScoreTypeName: 'eleuther_fuzz',
      explanationScoreModelName: 'gpt-4o-mini',
      initiatedByUserId: alice.user.id,
    });
    const details = JSON.parse(stored.jsonDetails);
    expect(details).toHaveLength(25);
    expect(details.filter((d: { ground_truth: boolean }) => d.ground_truth)).toHaveLength(20);
    expect(details[0]).toEqual(expect.objectContaining({ highlighted: true, probability: 0, conditional_probability: 0 }));
    // 25 examples in batches of 5; the prompts carry the explanation and marked examples.
    const calls = llm.requests.slice(-5);
    expect(calls.every((c) => c.model === 'openai/gpt-4o-mini')).toBe(true);
    expect(calls[0]!.messages.at(-1)!.content).toMatch(/^Feature explanation: the word dog\n\nText examples:\n\nExample 0: /);
    expect(calls.map((c) => c.messages.at(-1)!.content.match(/^Example \d+:/gm)!.length)).toEqual([5, 5, 5, 5, 5]);
    expect(calls.flatMap((c) => c.messages.at(-1)!.content.match(/<< dog>>/g) ?? [])).toHaveLength(20);
    const feature = (await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' })).json();
    expect(feature.explanations.find((e: { id: string }) => e.id === explanationId).scores[0].value).toBe(1);
  });

  it('recall (detection): unmarked examples; a wrong explanation scores 0.5, an inverted judge 0', async () => {
    await clearScores();
    await setDescription('the word dog');
    const good = await score({ explanationId, scorerType: 'eleuther_recall', scorerModel: 'gpt-4o-mini' });
    expect(good.json().score.value).toBe(1);
    expect(llm.requests.at(-1)!.messages.at(-1)!.content).not.toContain('<<');
    expect(JSON.parse(good.json().score.jsonDetails)[0].highlighted).toBe(false);
    await clearScores();
    await setDescription('the word giraffe');
    expect((await score({ explanationId, scorerType: 'eleuther_recall', scorerModel: 'gpt-4o-mini' })).json().score.value).toBe(0.5);
    await clearScores();
    await setDescription('the word dog');
    llm.scoring = 'invert';
    try {
      expect((await score({ explanationId, scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' })).json().score.value).toBe(0);
    } finally {
      llm.scoring = 'keyword';
    }
  });

  it("embedding: ROC AUC of similarity, stored under the embedding model's name", async () => {
    await clearScores();
    await setDescription('dog');
    const res = await score({ explanationId }, '/api/score-type/eleuther_embedding');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().score).toMatchObject({
      value: 1,
      explanationScoreTypeName: 'eleuther_embedding',
      explanationScoreModelName: 'stella-test',
    });
    expect(embeddings.requests.at(-1)!.input[0]).toMatch(/^Instruct: .*\nQuery:dog$/);
    const details = JSON.parse(res.json().score.jsonDetails);
    expect(details[0]).toEqual(
      expect.objectContaining({ text: expect.any(String), distance: expect.any(Number), similarity: expect.any(Number) }),
    );
  });

  it('refuses duplicates, unknown types and models, missing explanations; never stores an unparsed answer', async () => {
    await clearScores();
    await setDescription('the word dog');
    expect((await score({ explanationId, scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' })).statusCode).toBe(200);
    expect((await score({ explanationId, scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' })).json().error).toBe(
      'Explanation score using this same method and model already exists',
    );
    expect((await score({ explanationId, scorerType: 'made_up' })).json().error).toBe(
      'Unsupported explanation score type: made_up. This mirror scores with eleuther_fuzz, eleuther_recall, eleuther_embedding.',
    );
    const wrongModel = await score({ explanationId, scorerType: 'eleuther_recall', scorerModel: 'nope' });
    expect(wrongModel.statusCode).toBe(400);
    expect(wrongModel.json().error).toMatch(/^Unsupported explanation score model: nope\. Valid models are: .*gpt-4o-mini/);
    expect((await score({ explanationId }, '/api/score-type/eleuther_fuzz')).json().error).toMatch(
      /^eleuther_fuzz needs a scorerModel\. Valid models are: .*gpt-4o-mini/,
    );
    const missing = await score({ explanationId: 'nope', scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('Explanation not found: nope');
    llm.scoring = 'garbage';
    try {
      const failed = await score({ explanationId, scorerType: 'eleuther_recall', scorerModel: 'gpt-4o-mini' });
      expect(failed.statusCode).toBe(502);
      expect(failed.json().error).toMatch(/without a list of 0\/1/);
    } finally {
      llm.scoring = 'keyword';
    }
    const scores = await ctx.database.db
      .select()
      .from(explanationScore)
      .where(eq(explanationScore.explanationScoreTypeName, 'eleuther_recall'));
    expect(scores).toEqual([]);
    // Feature 0 has no activations at all: nothing to score.
    const empty = await score({ explanationId: 'exp-gpt2-small-6-res-jb-0-a', scorerType: 'eleuther_fuzz', scorerModel: 'gpt-4o-mini' });
    expect(empty.statusCode).toBe(400);
  });
});

describe('without model services', () => {
  // A fresh mirror: no ExplanationScoreType rows at all (the demo sample holds only eleuther_fuzz).
  it('answers 503 naming the setting, for every scorer on both paths, whatever score types were imported', async () => {
    const ctx = await buildTestApp();
    try {
      const user = await userWithKey(ctx.database.db, 'u');
      await seedSource(ctx.database.db, { features: 1 });
      const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: { 'x-api-key': user.key }, payload });
      const explanationId = 'exp-gpt2-small-6-res-jb-0-a';
      for (const scorerType of ['eleuther_fuzz', 'eleuther_recall', 'eleuther_embedding']) {
        const setting = scorerType === 'eleuther_embedding' ? /EMBEDDING_URL/ : /LLM_URL/;
        for (const res of [
          await post('/api/explanation/score', { explanationId, scorerType, scorerModel: 'm' }),
          await post(`/api/score-type/${scorerType}`, { explanationId }),
        ]) {
          expect(res.statusCode).toBe(503);
          expect(res.json()).toMatchObject({ code: 'SERVICE_NOT_CONFIGURED', error: expect.stringMatching(setting) });
        }
      }
    } finally {
      await ctx.close();
    }
  });
});
