// Opt-in: the real gpt2-small and a res-jb SAE, when ENGINE_REAL_GPT2 names a folder with
// config.json + model.safetensors (openai-community/gpt2) and ENGINE_REAL_RES_JB a SAELens
// folder of gpt2-small-res-jb (e.g. blocks.8.hook_resid_pre). Never in CI: no weights here.
import { describe, expect, it } from 'vitest';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { Sae } from '../../src/engine/sae.js';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';

const modelDir = process.env.ENGINE_REAL_GPT2;
const saeDir = process.env.ENGINE_REAL_RES_JB;

/** Mean next-token cross-entropy (nats) of the text after a BOS. */
function loss(model: Gpt2, ids: number[]): number {
  const V = model.config.vocabSize;
  const logits = model.forward([50256, ...ids]);
  let total = 0;
  for (let t = 0; t < ids.length; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let max = -Infinity;
    for (const l of row) max = Math.max(max, l);
    let sum = 0;
    for (const l of row) sum += Math.exp(l - max);
    total += max + Math.log(sum) - row[ids[t]!]!;
  }
  return total / ids.length;
}

describe.skipIf(!modelDir)('real gpt2-small', () => {
  it('predicts English far better than the same words shuffled', async () => {
    const model = await Gpt2.load(modelDir!);
    expect(model.config).toMatchObject({ nLayer: 12, dModel: 768, vocabSize: 50257 });
    const ids = gpt2Tokenizer().encode('The quick brown fox jumps over the lazy dog. It was a sunny day in the park.');
    const shuffled = [...ids].reverse();
    const natural = loss(model, ids);
    expect(natural).toBeLessThan(4.5);
    expect(natural + 2).toBeLessThan(loss(model, shuffled));
  });

  it.skipIf(!saeDir)('encodes with res-jb: folded decoder rows of unit norm, sparse activations', async () => {
    const model = await Gpt2.load(modelDir!);
    const sae = await Sae.load(saeDir!);
    const ids = [50256, ...gpt2Tokenizer().encode('The quick brown fox jumps over the lazy dog.')];
    let resid: Float32Array | undefined;
    model.forward(ids, { logits: 'none', hook: (n, h) => void (n === sae.cfg.hookName && (resid = h.slice())) });
    const acts = sae.encode(resid!, ids.length);
    const d = sae.cfg.dSae;
    const row = sae.decoderVector(0);
    expect(Math.hypot(...row)).toBeCloseTo(1, 4);
    const l0 = [...acts.subarray(d)].filter((a) => a > 0).length / (ids.length - 1); // without the BOS row
    expect(l0).toBeGreaterThan(1);
    expect(l0).toBeLessThan(d / 10);
  });
});
