// The engine as an inference server over a real socket, on the tiny model: each /v1 answer checked
// against the torch reference (activations, rankings, greedy steered text) and upstream's rules
// (BOS handling, ignoreBos, error bodies, X-SECRET-KEY, SSE frames).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineServer } from '../../src/engine/server/app.js';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';
import { expected, maxAbsDiff, TOLERANCE } from './fixtures.js';
import { actsOf, makeModelsDir, rankAll, SAE_PROMPT } from './models-dir.js';

const SECRET = 'engine-test-secret';
const tok = gpt2Tokenizer();
let app: FastifyInstance;
let url: string;
let models: ReturnType<typeof makeModelsDir>;

async function post(path: string, body: unknown, secret: string | null = SECRET) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-secret-key': secret } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}

beforeAll(async () => {
  models = makeModelsDir();
  app = await buildEngineServer({ modelsDir: models.dir, secret: SECRET, tokenLimit: 40 });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  models?.remove();
});

const ALL = { model: 'tiny-gpt2', sourceSet: 'res-std', selectedSources: [], sortByTokenIndexes: [], ignoreBos: true };

describe('activation endpoints', () => {
  it('/v1/activation/all ranks every source of the set as upstream does', async () => {
    const res = await post('/v1/activation/all', { ...ALL, prompt: SAE_PROMPT, numResults: 7 });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.tokens).toEqual(['<|endoftext|>', 'this', ' is', ' about', ' dogs', '!']);
    const want = rankAll(['1-res-std', '3-res-std'], 7, true);
    expect(body.activations.map((a: { source: string; index: number }) => [a.source, a.index])).toEqual(
      want.map((w) => [w.source, w.index]),
    );
    for (const [i, a] of body.activations.entries()) {
      expect(maxAbsDiff(a.values, want[i]!.values)).toBeLessThan(TOLERANCE);
      expect(a.maxValueIndex).toBe(want[i]!.maxValueIndex);
      expect(a.values[0]).toBe(0); // ignoreBos zeroes the BOS position
    }
  });

  it('sorts by the sum at sortByTokenIndexes (duplicates count twice) over selectedSources', async () => {
    const sortBy = [2, 2, 4];
    const res = await post('/v1/activation/all-batch', {
      ...ALL,
      prompts: [SAE_PROMPT, `<|endoftext|>${SAE_PROMPT}`],
      selectedSources: ['3-res-std'],
      sortByTokenIndexes: sortBy,
      ignoreBos: false,
      numResults: 5,
    });
    expect(res.status).toBe(200);
    const want = rankAll(['3-res-std'], 5, false, sortBy);
    for (const result of res.json().results) {
      expect(result.activations.map((a: { index: number }) => a.index)).toEqual(want.map((w) => w.index));
      const top = result.activations[0];
      expect(Math.abs(top.sumValues - want[0]!.key)).toBeLessThan(TOLERANCE);
    }
  });

  it('/v1/activation/topk-by-token keeps absolute token positions when ignoreBos drops the BOS', async () => {
    const res = await post('/v1/activation/topk-by-token', {
      model: 'tiny-gpt2',
      source: '2-res-topk',
      prompt: SAE_PROMPT,
      ignoreBos: true,
      topK: 3,
    });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.tokens).toEqual(['this', ' is', ' about', ' dogs', '!']);
    expect(body.results.map((r: { tokenPosition: number }) => r.tokenPosition)).toEqual([1, 2, 3, 4, 5]);
    const acts = actsOf('2-res-topk');
    for (const r of body.results) {
      const row = acts[r.tokenPosition]!;
      const want = row
        .map((v, f) => [f, v] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 3);
      expect(r.topFeatures.map((f: { featureIndex: number }) => f.featureIndex)).toEqual(want.map((w) => w[0]));
      expect(r.isSpecial).toBe(false);
    }
  });

  it('/v1/activation/single drops the BOS for a feature, and dots the raw residual for a vector', async () => {
    const index = 5;
    const feat = await post('/v1/activation/single', { model: 'tiny-gpt2', prompt: SAE_PROMPT, source: '1-res-std', index: String(index) });
    expect(feat.status).toBe(200);
    const want = actsOf('1-res-std')
      .slice(1)
      .map((row) => row[index]!);
    expect(maxAbsDiff(feat.json().activation.values, want)).toBeLessThan(TOLERANCE);
    expect(feat.json().tokens).toEqual(['this', ' is', ' about', ' dogs', '!']);

    const ref = expected.models['tiny-gpt2']!.forward[2]!;
    const hook = 'blocks.2.hook_resid_post';
    const vector = Array.from({ length: 32 }, (_, i) => (i % 3) - 1);
    // The vector form adds no BOS: the prompt's own <|endoftext|> makes it the reference's ids.
    const vec = await post('/v1/activation/single', { model: 'tiny-gpt2', prompt: `<|endoftext|>${SAE_PROMPT}`, vector, hook });
    expect(vec.status).toBe(200);
    const dots = ref.hooks[hook]!.map((row) => row.reduce((s, v, i) => s + v * vector[i]!, 0));
    expect(maxAbsDiff(vec.json().activation.values, dots)).toBeLessThan(TOLERANCE);
    expect(vec.json().tokensIsSpecial).toEqual([true, false, false, false, false, false]);
  });

  it('/v1/activation/source lists the positions where each feature fires', async () => {
    const res = await post('/v1/activation/source', { model: 'tiny-gpt2', source: '1-res-std', prompts: [SAE_PROMPT] });
    expect(res.status).toBe(200);
    const { activeFeatures } = res.json().results[0];
    const acts = actsOf('1-res-std');
    const firing = acts.flatMap((row, t) => row.flatMap((v, f) => (v > 0 ? [`${f}@${t}`] : [])));
    const got = Object.entries(activeFeatures as Record<string, [number, number][]>).flatMap(([f, list]) => list.map(([t]) => `${f}@${t}`));
    expect(got.sort()).toEqual(firing.sort());
  });
});

const STEER = { model: 'tiny-gpt2', temperature: 0, freqPenalty: 0, seed: 16, nCompletionTokens: 8, types: ['STEERED', 'DEFAULT'] };
const textOf = (ids: number[]) => tok.tokenStrings(ids).join('');
const defaultIds = expected.generation.find((g) => g.name === 'default')!.expected;

describe('steering', () => {
  it('generates the reference greedy text for vectors, and the unsteered default', async () => {
    const g = expected.generation.find((c) => c.name === 'SIMPLE_ADDITIVE blocks.1.hook_resid_pre normalize=True')!;
    const s = g.steers[0]!;
    const res = await post('/v1/steer/completion', {
      ...STEER,
      prompt: expected.prompts[1]!.text,
      vectors: [{ hook: s.hook, steeringVector: s.vector, strength: s.strength }],
      strengthMultiplier: s.strengthMultiplier,
      steerMethod: s.method,
      normalizeSteering: s.normalize,
    });
    expect(res.status).toBe(200);
    expect(res.json().outputs).toEqual([
      { type: 'STEERED', output: textOf(g.expected), logprobs: null },
      { type: 'DEFAULT', output: textOf(defaultIds), logprobs: null },
    ]);
  });

  it('steers SAE features by their folded decoder rows, streaming one frame per token', async () => {
    const g = expected.generation.find((c) => c.name.startsWith('two features on one hook'))!;
    const body = {
      ...STEER,
      prompt: expected.prompts[1]!.text,
      features: g.steers.map((s) => ({ model: 'tiny-gpt2', source: '1-res-std', index: s.index, strength: s.strength })),
      strengthMultiplier: 1,
      steerMethod: 'SIMPLE_ADDITIVE',
      normalizeSteering: false,
      stream: true,
    };
    const res = await post('/v1/steer/completion', body);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/event-stream');
    const frames = res.text
      .split('\n\n')
      .filter(Boolean)
      .map((f) => JSON.parse(f.replace(/^data: /, '')));
    expect(frames).toHaveLength(g.expected.length + defaultIds.length);
    expect(frames[0].outputs).toEqual([{ type: 'STEERED', output: textOf(g.expected.slice(0, 1)), logprobs: null }]);
    expect(frames.at(-1).outputs.map((o: { output: string }) => o.output)).toEqual([textOf(g.expected), textOf(defaultIds)]);
  });

  it('refuses chat for a model without a chat template, and bad requests with upstream messages', async () => {
    const chat = await post('/v1/steer/completion-chat', { model: 'tiny-gpt2', prompt: [{ role: 'user', content: 'hi' }] });
    expect(chat.status).toBe(400);
    expect(chat.json().error).toMatch(/^This model has no chat template/);
    const both = await post('/v1/steer/completion', {
      ...STEER,
      prompt: 'hi',
      features: [],
      vectors: [],
      strengthMultiplier: 1,
      steerMethod: 'SIMPLE_ADDITIVE',
      normalizeSteering: false,
    });
    expect(both.json()).toEqual({ error: 'Invalid request data: exactly one of features or vectors must be provided' });
    const hook = await post('/v1/steer/completion', {
      ...STEER,
      prompt: 'hi',
      vectors: [{ hook: 'blocks.1.hook_mlp_out', steeringVector: new Array(32).fill(1), strength: 1 }],
      strengthMultiplier: 1,
      steerMethod: 'SIMPLE_ADDITIVE',
      normalizeSteering: false,
    });
    expect([hook.status, hook.json().error]).toEqual([400, 'Unsupported steering hook: blocks.1.hook_mlp_out']);
  });
});

describe('protocol', () => {
  it('answers /health without a secret and refuses /v1 without the right one', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'healthy' });
    const res = await post('/v1/tokenize', { model: 'tiny-gpt2', text: 'x' }, 'wrong');
    expect([res.status, res.json()]).toEqual([401, { error: 'Invalid or missing X-SECRET-KEY header' }]);
  });

  it('answers FastAPI 422s for missing or mistyped fields, 400s for unknown models and long prompts', async () => {
    const missing = await post('/v1/activation/all', { model: 'tiny-gpt2', prompt: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual([
      'sourceSet',
      'selectedSources',
      'sortByTokenIndexes',
      'ignoreBos',
    ]);
    const typed = await post('/v1/activation/all', { ...ALL, prompt: 3 });
    expect([typed.status, typed.json().detail[0].loc]).toEqual([422, ['body', 'prompt']]);
    const unknown = await post('/v1/activation/all', { ...ALL, model: 'gpt2-xl', prompt: 'x' });
    expect([unknown.status, unknown.json()]).toEqual([400, { error: 'Model gpt2-xl is not loaded on this server (loaded: tiny-gpt2)' }]);
    const long = await post('/v1/activation/all', { ...ALL, prompt: ' word'.repeat(50) });
    expect([long.status, long.json()]).toEqual([400, { error: 'Text too long: 51 tokens, max is 40' }]);
    const set = await post('/v1/activation/all', { ...ALL, sourceSet: 'nope', prompt: 'x' });
    expect(set.json()).toEqual({ error: 'Invalid source set' });
  });

  it('/v1/util/sae-vector returns the folded encoder column; /v1/tokenize the ids and strings', async () => {
    const vec = await post('/v1/util/sae-vector', { model: 'tiny-gpt2', source: '1-res-std', index: 3 });
    expect(vec.json().hookName).toBe('blocks.1.hook_resid_pre');
    expect(maxAbsDiff(vec.json().vector, expected.saes['standard-6x']!.W_enc_col3)).toBeLessThan(TOLERANCE);
    const t = await post('/v1/tokenize', { model: 'tiny-gpt2', text: 'Hello world', prependBos: true });
    expect(t.json()).toEqual({ tokens: [50256, 15496, 995], tokenStrings: ['<|endoftext|>', 'Hello', ' world'], prependBos: true });
  });
});

describe('/v1/util/similarity-matrix-pred', () => {
  it("answers upstream's 400 for a non-temporal SAE, its 422 for a missing field and the source error", async () => {
    const body = { modelId: 'tiny-gpt2', sourceId: '1-res-std', index: 0, text: SAE_PROMPT };
    const res = await post('/v1/util/similarity-matrix-pred', body);
    expect([res.status, res.json()]).toEqual([400, { error: 'SAE architecture is not temporal' }]);
    const missing = await post('/v1/util/similarity-matrix-pred', { modelId: 'tiny-gpt2', sourceId: '1-res-std', index: 0 });
    expect(missing.status).toBe(422);
    expect(missing.json().detail).toEqual([{ type: 'missing', loc: ['body', 'text'], msg: 'Field required' }]);
    const unknown = await post('/v1/util/similarity-matrix-pred', { ...body, sourceId: '9-res-std' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatch(/^Invalid source: 9-res-std/);
  });
});
