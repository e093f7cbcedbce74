// The mirror with the engine as its inference host, both ways: an engine server it lists in
// INFERENCE_HOSTS, and `builtin` (its own engine, started in its process): search-all and steer
// answer end to end over HTTP with the engine's real computation on the tiny model.
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model } from '../../src/db/schema/index.js';
import { buildEngineServer } from '../../src/engine/server/app.js';
import { seedSource } from '../fixtures/seed.js';
import { userWithKey } from '../fixtures/users.js';
import { buildTestApp, type TestContext } from '../helper.js';
import { expected, maxAbsDiff, TOLERANCE } from './fixtures.js';
import { makeModelsDir, rankAll, SAE_PROMPT } from './models-dir.js';

const SECRET = 'mirror-engine-secret';

describe.each(['engine server', 'builtin'] as const)('the mirror with the engine as its inference host: %s', (kind) => {
  let engine: FastifyInstance | undefined;
  let models: ReturnType<typeof makeModelsDir>;
  let ctx: TestContext;
  let key: string;

  beforeAll(async () => {
    models = makeModelsDir();
    if (kind === 'builtin') {
      ctx = await buildTestApp({ INFERENCE_HOSTS: 'tiny-gpt2=builtin; gpt2-small=builtin', ENGINE_MODELS_DIR: models.dir });
    } else {
      engine = await buildEngineServer({ modelsDir: models.dir, secret: SECRET });
      const url = await engine.listen({ port: 0, host: '127.0.0.1' });
      ctx = await buildTestApp({ INFERENCE_HOSTS: `tiny-gpt2=${url}; gpt2-small=${url}`, INFERENCE_SECRET: SECRET });
    }
    for (const layerNumber of [1, 3]) {
      await seedSource(ctx.database.db, { modelId: 'tiny-gpt2', setName: 'res-std', layerNumber, features: 40, activationsPerFeature: 1 });
    }
    await ctx.database.db.update(model).set({ tlensId: null }).where(eq(model.id, 'tiny-gpt2'));
    await seedSource(ctx.database.db, { features: 2 }); // gpt2-small: in the database, not in the models folder
    key = (await userWithKey(ctx.database.db, 'alice')).key;
  });
  afterAll(async () => {
    await ctx?.close();
    await engine?.close();
    models?.remove();
  });

  const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': key } });

  it('/api/search-all ranks the features the engine computes, joined with their stored features', async () => {
    const res = await post('/api/search-all', {
      modelId: 'tiny-gpt2',
      sourceSet: 'res-std',
      text: SAE_PROMPT,
      selectedLayers: [],
      sortIndexes: [],
      ignoreBos: true,
      numResults: 6,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const want = rankAll(['1-res-std', '3-res-std'], 6, true).filter((r) => r.maxValue > 0);
    expect(body.tokens).toEqual(['<|endoftext|>', 'this', ' is', ' about', ' dogs', '!']);
    expect(body.result.map((r: { layer: string; index: string }) => `${r.layer}/${r.index}`)).toEqual(
      want.map((w) => `${w.source}/${w.index}`),
    );
    for (const [i, r] of body.result.entries()) {
      expect(maxAbsDiff(r.values, want[i]!.values)).toBeLessThan(TOLERANCE);
      expect(r.neuron).toMatchObject({ modelId: 'tiny-gpt2', layer: want[i]!.source, index: String(want[i]!.index) });
    }
  });

  it('/api/steer returns the reference greedy completion for a steered SAE feature', async () => {
    const g = expected.generation.find((c) => c.name.startsWith('two features on one hook'))!;
    const res = await post('/api/steer', {
      modelId: 'tiny-gpt2',
      prompt: expected.prompts[1]!.text,
      features: g.steers.map((s) => ({ modelId: 'tiny-gpt2', layer: '1-res-std', index: s.index, strength: s.strength })),
      temperature: 0,
      n_tokens: 8,
      freq_penalty: 0,
      seed: 16,
      strength_multiplier: 1,
      steer_method: 'SIMPLE_ADDITIVE',
      normalize_steering: false,
    });
    expect(res.statusCode, res.body).toBe(200);
    const { gpt2Tokenizer } = await import('../../src/engine/tokenizer.js');
    const text = gpt2Tokenizer().tokenStrings(g.expected).join('');
    expect(res.json().STEERED).toBe(text);
  });

  it("/api/steer streams the engine's tokens as server-sent events", async () => {
    const g = expected.generation.find((c) => c.name.startsWith('two features on one hook'))!;
    const res = await post('/api/steer', {
      modelId: 'tiny-gpt2',
      prompt: expected.prompts[1]!.text,
      features: g.steers.map((s) => ({ modelId: 'tiny-gpt2', layer: '1-res-std', index: s.index, strength: s.strength })),
      temperature: 0,
      n_tokens: 8,
      freq_penalty: 0,
      seed: 17,
      strength_multiplier: 1,
      steer_method: 'SIMPLE_ADDITIVE',
      normalize_steering: false,
      stream: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const frames = res.body
      .split('\n\n')
      .filter((f) => f.startsWith('data: '))
      .map((f) => JSON.parse(f.slice(6)) as { STEERED?: string; DEFAULT?: string });
    const { gpt2Tokenizer } = await import('../../src/engine/tokenizer.js');
    const strings = gpt2Tokenizer().tokenStrings(g.expected);
    // one frame per generated token of each type, then the final one; STEERED grows token by token
    expect(frames.length).toBeGreaterThanOrEqual(2 * 8);
    expect(frames[0]!.STEERED).toBe(strings[0]);
    expect(frames.at(-1)!.STEERED).toBe(strings.join(''));
  });

  it("/api/vector/get answers an SAE feature with the engine's folded encoder column", async () => {
    const res = await post('/api/vector/get', { modelId: 'tiny-gpt2', source: '1-res-std', index: '3' });
    expect(res.statusCode, res.body).toBe(200);
    const { vector } = res.json();
    expect(vector.hookName).toBe('blocks.1.hook_resid_pre');
    expect(maxAbsDiff(vector.vector, expected.saes['standard-6x']!.W_enc_col3)).toBeLessThan(TOLERANCE);
  });

  it("/api/similarity-matrix-pred passes on the engine's 400 for a non-temporal SAE (as the mirror does any host's)", async () => {
    const res = await post('/api/similarity-matrix-pred', { modelId: 'tiny-gpt2', sourceId: '1-res-std', text: SAE_PROMPT });
    expect(res.statusCode, res.body).toBe(502);
    expect(res.json()).toMatchObject({ message: 'SAE architecture is not temporal', code: 'UPSTREAM_ERROR', upstreamStatus: 400 });
  });

  it('says clearly when the engine does not have the model', async () => {
    const res = await post('/api/search-all', {
      modelId: 'gpt2-small',
      sourceSet: 'res-jb',
      text: 'hi',
      selectedLayers: [],
      sortIndexes: [],
      ignoreBos: true,
      numResults: 3,
    });
    // as for any host's 400: the mirror's 502, with the engine's message
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'Model gpt2-small is not loaded on this server (loaded: tiny-gpt2)',
    });
  });
});
