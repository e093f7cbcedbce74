// GPT-2 forward on the tiny random checkpoints against the float64 torch reference: every hook the
// model emits, logits, the transformer.-prefixed/bf16 variant, and KV-cache decoding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { configureMatmul } from '../../src/engine/matmul.js';
import { expected, expectLogits, maxAbsDiff, modelDir, TOLERANCE } from './fixtures.js';

function capture(model: Gpt2, ids: number[]): { hooks: Map<string, Float32Array>; logits: Float32Array } {
  const hooks = new Map<string, Float32Array>();
  const logits = model.forward(ids, { hook: (name, h) => void hooks.set(name, h.slice()) });
  return { hooks, logits };
}

describe.each([
  ['tiny-gpt2', 'ort'],
  ['tiny-gpt2-prefixed', 'ort'],
  ['tiny-gpt2', 'js'],
] as const)('GPT-2 forward: %s, %s matmul', (name, backend) => {
  let model: Gpt2;
  beforeAll(async () => {
    configureMatmul({ backend });
    model = await Gpt2.load(modelDir(name));
  });
  afterAll(() => configureMatmul({ backend: 'ort' }));

  it.each(expected.models[name]!.forward.map((f, i) => [i, f] as const))('case %i: every hook and the logits', (_, ref) => {
    const { hooks, logits } = capture(model, ref.ids);
    const names = Object.keys(ref.hooks);
    expect(names.length).toBe(model.config.nLayer * 6);
    for (const hook of names) {
      const got = hooks.get(hook);
      expect(got, hook).toBeDefined();
      expect(maxAbsDiff(got!, ref.hooks[hook]!.flat()), hook).toBeLessThan(TOLERANCE);
    }
    expectLogits(logits, model.config.vocabSize, ref.logits);
  });
});

describe('KV cache', () => {
  it('decoding one position at a time equals recomputing the whole sequence', async () => {
    const model = await Gpt2.load(modelDir('tiny-gpt2'));
    const ids = expected.models['tiny-gpt2']!.forward[2]!.ids;
    const full = capture(model, ids);
    const cache = model.newCache();
    const stepped = new Map<string, number[]>();
    let last: Float32Array = new Float32Array(0);
    for (const [i, id] of ids.entries()) {
      // prefill the first two positions together, then one at a time
      if (i === 1) continue;
      const chunk = i === 0 ? ids.slice(0, 2) : [id];
      last = model.forward(chunk, {
        cache,
        logits: 'last',
        hook: (name, h) => void stepped.set(name, [...(stepped.get(name) ?? []), ...h]),
      });
    }
    expect(cache.length).toBe(ids.length);
    for (const [name, h] of full.hooks) expect(maxAbsDiff(stepped.get(name)!, h), name).toBeLessThan(1e-5);
    const vocab = model.config.vocabSize;
    expect(maxAbsDiff(last, full.logits.subarray((ids.length - 1) * vocab))).toBeLessThan(1e-5);
  });

  it('refuses a sequence longer than the context', async () => {
    const model = await Gpt2.load(modelDir('tiny-gpt2-prefixed'));
    expect(() => model.forward(new Array(65).fill(1))).toThrow(/longer than the model's context \(64\)/);
    expect(() => model.forward([50257])).toThrow(/outside the vocabulary/);
  });
});
