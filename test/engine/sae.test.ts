// SAELens SAEs against the float64 torch reference: each architecture (standard, jumprelu, topk
// with and without decoder-norm rescaling, gated), both cfg versions, folding as Neuronpedia folds.
import { beforeAll, describe, expect, it } from 'vitest';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { configureMatmul } from '../../src/engine/matmul.js';
import { Sae } from '../../src/engine/sae.js';
import { parseSaeConfig } from '../../src/engine/sae-config.js';
import { expected, maxAbsDiff, modelDir, saeDir, TOLERANCE } from './fixtures.js';

let model: Gpt2;
beforeAll(async () => {
  model = await Gpt2.load(modelDir('tiny-gpt2'));
});

describe.each(Object.entries(expected.saes))('SAE %s', (id, ref) => {
  it('encodes the residual at its hook as SAELens does after fold_W_dec_norm', async () => {
    const sae = await Sae.load(saeDir(id));
    expect(sae.cfg.hookName).toBe(ref.hook);
    expect(sae.cfg.architecture).toBe(ref.architecture);
    let resid: Float32Array | undefined;
    model.forward(ref.ids, { logits: 'none', hook: (name, h) => void (name === ref.hook && (resid = h.slice())) });
    const acts = sae.encode(resid!, ref.ids.length);
    expect(maxAbsDiff(acts, ref.acts.flat())).toBeLessThan(TOLERANCE);
    // the same features fire (a threshold or top-k choice off by one would still be close in value)
    expect([...acts].map((a) => a > 0)).toEqual(ref.acts.flat().map((a) => a > 0));
    expect(maxAbsDiff(await sae.encoderVector(3), ref.W_enc_col3)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(sae.decoderVector(3), ref.W_dec_row3)).toBeLessThan(TOLERANCE);
  });

  it('holds its encoder once (in ORT), and reads sae-vector columns from the file bit for bit', async () => {
    const sae = await Sae.load(saeDir(id));
    expect((sae as unknown as { enc: { w: Float32Array } }).enc.w.length).toBe(0);
    configureMatmul({ backend: 'js' });
    const kept = await Sae.load(saeDir(id)).finally(() => configureMatmul({ backend: 'ort' }));
    expect((kept as unknown as { enc: { w: Float32Array } }).enc.w.length).toBe(kept.cfg.dIn * kept.cfg.dSae);
    for (const f of [0, 3, kept.cfg.dSae - 1]) expect(await sae.encoderVector(f)).toEqual(await kept.encoderVector(f));
  });
});

describe('SAE config versions', () => {
  it('reads a pre-6.0 flat config as SAELens handle_pre_6_0_config does', () => {
    const cfg = parseSaeConfig({
      d_in: 768,
      d_sae: 24576,
      hook_point: 'blocks.0.hook_resid_pre',
      hook_point_head_index: null,
      dtype: 'torch.float32',
      normalize_activations: true,
      activation_fn_str: 'topk',
      activation_fn_kwargs: { k: 32 },
    });
    expect(cfg).toMatchObject({
      architecture: 'topk',
      k: 32,
      hookName: 'blocks.0.hook_resid_pre',
      applyBDecToInput: true,
      normalizeActivations: 'expected_average_only_in',
    });
  });

  it('reads a 6.x config from its metadata, and refuses what it cannot run', () => {
    const cfg = parseSaeConfig({
      architecture: 'jumprelu',
      d_in: 8,
      d_sae: 16,
      apply_b_dec_to_input: false,
      metadata: { hook_name: 'blocks.3.hook_resid_post', sae_lens_version: '6.12.0' },
    });
    expect(cfg).toMatchObject({ architecture: 'jumprelu', hookName: 'blocks.3.hook_resid_post', applyBDecToInput: false });
    expect(() =>
      parseSaeConfig({ architecture: 'batchtopk', d_in: 8, d_sae: 16, metadata: { hook_name: 'x', sae_lens_version: '6.1' } }),
    ).toThrow(/architecture batchtopk is not supported/);
    expect(() => parseSaeConfig({ d_in: 8, d_sae: 16 })).toThrow(/no hook name/);
  });
});
