// Generation and scoring through Neuronpedia's autointerp server (AUTOINTERP_URL) instead of an
// LLM endpoint: the requests it receives, what is stored, and its failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activation,
  explanationModelType,
  explanationScore,
  explanationScoreModel,
  explanationScoreType,
  explanationType,
} from '../src/db/schema/index.js';
import { startAutointerpDouble, type AutointerpDouble } from './doubles/autointerp-server.js';
import { seedExplanationNames, seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { buildTestApp, type TestContext } from './helper.js';

describe('with AUTOINTERP_URL', () => {
  let autointerp: AutointerpDouble;
  let ctx: TestContext;
  let key = '';
  const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': key } });

  beforeAll(async () => {
    autointerp = await startAutointerpDouble();
    ctx = await buildTestApp({ AUTOINTERP_URL: autointerp.url, AUTOINTERP_SECRET: autointerp.secret, AUTOINTERP_OPENROUTER_KEY: 'or-key' });
    key = (await userWithKey(ctx.database.db, 'alice')).key;
    await seedSource(ctx.database.db, { features: 2, activationsPerFeature: 0 });
    const now = new Date();
    const meta = { displayName: 'x', description: 'x', creatorName: 'x', createdAt: now, updatedAt: now };
    await ctx.database.db.insert(explanationType).values({ name: 'eleuther_acts_top20', creatorId: 'x', ...meta });
    await ctx.database.db.insert(explanationModelType).values({ name: 'gpt-4o-mini', openRouterModelId: 'openai/gpt-4o-mini', ...meta });
    for (const name of ['eleuther_fuzz', 'eleuther_recall', 'eleuther_embedding'])
      await ctx.database.db.insert(explanationScoreType).values({ name, creatorId: 'x', ...meta });
    await ctx.database.db.insert(explanationScoreModel).values({ name: 'gpt-4o-mini', openRouterModelId: 'openai/gpt-4o-mini', ...meta });
    const rows = [
      ...Array.from({ length: 22 }, (_, i) => ({ tokens: [`w${i}`, ' dog'], values: [0, 1 + i] })),
      ...Array.from({ length: 6 }, (_, i) => ({ tokens: [`q${i}`, ' cat'], values: [0, 0] })),
    ].map((r, i) => ({
      id: `a-${i}`,
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: '1',
      ...r,
      maxValue: Math.max(...r.values),
      maxValueTokenIndex: 1,
      minValue: 0,
      creatorId: 'x',
    }));
    await ctx.database.db.insert(activation).values(rows);
  });
  afterAll(async () => {
    await ctx?.close();
    await autointerp?.close();
  });

  it('explains through /v1/explain/default with the top 20 distinct examples and the key', async () => {
    const res = await post('/api/explanation/generate', {
      modelId: 'gpt2-small',
      layer: '6-res-jb',
      index: 1,
      explanationType: 'eleuther_acts_top20',
      explanationModelName: 'gpt-4o-mini',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().explanation.description).toBe('dog');
    const sent = autointerp.requests.at(-1)!;
    expect(sent.path).toBe('/v1/explain/default');
    expect(sent.body).toMatchObject({ model: 'openai/gpt-4o-mini', openrouterKey: 'or-key' });
    expect((sent.body.activations as unknown[]).length).toBe(20);
  });

  it("scores through /v1/score/fuzz-detection and /v1/score/embedding, storing upstream's jsonDetails", async () => {
    const fuzz = await post('/api/score-type/eleuther_fuzz', { explanationId: 'exp-gpt2-small-6-res-jb-1-a', scorerModel: 'gpt-4o-mini' });
    expect(fuzz.statusCode, fuzz.body).toBe(200);
    const sent = autointerp.requests.at(-1)!;
    expect(sent.path).toBe('/v1/score/fuzz-detection');
    expect(sent.body).toMatchObject({ type: 'FUZZ', model: 'openai/gpt-4o-mini', explanation: 'cats and dogs 1' });
    const rows = sent.body.activations as Array<{ values: number[] }>;
    expect(rows).toHaveLength(25); // 20 activating (scaled to 10) then 5 zero
    expect(Math.max(...rows[0]!.values)).toBe(10);
    expect(rows.slice(20).every((r) => r.values.every((v) => v === 0))).toBe(true);
    const details = JSON.parse(fuzz.json().score.jsonDetails);
    expect(Object.keys(details[0]).sort()).toEqual([
      'activations',
      'conditional_probability',
      'correct',
      'distance',
      'ground_truth',
      'highlighted',
      'prediction',
      'probability',
      'str_tokens',
      'text',
    ]);
    const recall = await post('/api/explanation/score', {
      explanationId: 'exp-gpt2-small-6-res-jb-1-a',
      scorerType: 'eleuther_recall',
      scorerModel: 'gpt-4o-mini',
    });
    expect(autointerp.requests.at(-1)!.body.type).toBe('DETECTION');
    expect(recall.json().score.value).toBeGreaterThan(0);
    const embedding = await post('/api/score-type/eleuther_embedding', { explanationId: 'exp-gpt2-small-6-res-jb-1-a' });
    expect(embedding.json().score).toMatchObject({ value: 1, explanationScoreModelName: 'stella_en_400m_v5' });
    expect(JSON.parse(embedding.json().score.jsonDetails)[0]).toEqual(
      expect.objectContaining({ similarity: expect.any(Number), str_tokens: expect.any(Array) }),
    );
  });

  it("answers 502 with upstream's message when the server fails, and stores nothing", async () => {
    await ctx.database.db.delete(explanationScore);
    autointerp.failNext = 1;
    const res = await post('/api/score-type/eleuther_fuzz', { explanationId: 'exp-gpt2-small-6-res-jb-1-a', scorerModel: 'gpt-4o-mini' });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatch(/^The autointerp service is unavailable\. Please try again shortly\./);
    expect(await ctx.database.db.select().from(explanationScore)).toEqual([]);
  });

  it('sends its secret: a wrong one is a 502, not a hang', async () => {
    const wrong = await buildTestApp({ AUTOINTERP_URL: autointerp.url, AUTOINTERP_SECRET: 'wrong' });
    try {
      const user = await userWithKey(wrong.database.db, 'bob');
      await seedSource(wrong.database.db, { features: 1, activationsPerFeature: 2 });
      await seedExplanationNames(wrong.database.db, { types: ['eleuther_acts_top20'], models: ['m'] });
      const res = await wrong.app.inject({
        method: 'POST',
        url: '/api/explanation/generate',
        headers: { 'x-api-key': user.key },
        payload: { modelId: 'gpt2-small', layer: '6-res-jb', index: 0, explanationType: 'eleuther_acts_top20', explanationModelName: 'm' },
      });
      expect(res.statusCode).toBe(502);
      expect(res.json().error).toMatch(/HTTP 401/);
    } finally {
      await wrong.close();
    }
  });
});
