// SAELens SAEs (a folder of cfg.json + sae_weights.safetensors), loaded as Neuronpedia's inference
// server loads them: `fold_W_dec_norm()` applied (decoder rows unit-norm, the norms moved into the
// encoder), except for TopK SAEs without decoder-norm rescaling, where folding would change which
// k features win. Encode follows sae_lens/saes/{standard,jumprelu,topk,gated}_sae.py.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linear, linearFromInOut, prepareLinear, type Linear } from './matmul.js';
import { parseSaeConfig, type SaeConfig } from './sae-config.js';
import { readSafetensors } from './safetensors.js';

export class Sae {
  private constructor(
    readonly cfg: SaeConfig,
    /** Encoder, stored `[d_sae, d_in]` (one row per feature). */
    private readonly enc: Linear,
    /** Gated SAEs: the magnitude path's encoder `W_enc·exp(r_mag)` with `b_mag`. */
    private readonly encMag: Linear | undefined,
    /** `[d_sae, d_in]`, folded. */
    readonly wDec: Float32Array,
    readonly bDec: Float32Array,
    private readonly threshold: Float32Array | undefined,
    private readonly folder: string,
    /** The decoder norms folded into the encoder (undefined: not folded). */
    private readonly norms: Float32Array | undefined,
  ) {}

  static async load(folder: string): Promise<Sae> {
    const raw = JSON.parse(await readFile(join(folder, 'cfg.json'), 'utf8')) as Record<string, unknown>;
    const cfg = parseSaeConfig(raw, `${folder}/cfg.json`);
    const tensors = await readSafetensors(join(folder, 'sae_weights.safetensors'));
    const { dIn, dSae } = cfg;
    const get = (name: string, size: number): Float32Array => {
      const t = tensors.get(name);
      if (!t) throw new Error(`${folder}/sae_weights.safetensors: tensor ${name} missing`);
      if (t.data.length !== size) throw new Error(`${folder}: ${name} has ${t.data.length} values, expected ${size}`);
      return new Float32Array(t.data); // a copy: folding writes into it
    };
    const wEnc = get('W_enc', dIn * dSae);
    const wDec = get('W_dec', dSae * dIn);
    const bDec = get('b_dec', dIn);
    const gated = cfg.architecture === 'gated';
    const bEnc = get(gated ? 'b_gate' : 'b_enc', dSae);
    const bMag = gated ? get('b_mag', dSae) : undefined;
    const rMag = gated ? get('r_mag', dSae) : undefined;
    const threshold = cfg.architecture === 'jumprelu' ? get('threshold', dSae) : undefined;
    let norms: Float32Array | undefined;
    if (!(cfg.architecture === 'topk' && !cfg.rescaleActsByDecoderNorm)) {
      norms = new Float32Array(dSae);
      for (let f = 0; f < dSae; f++) {
        let sq = 0;
        for (let i = 0; i < dIn; i++) sq += wDec[f * dIn + i]! ** 2;
        const n = Math.sqrt(sq);
        norms[f] = n;
        for (let i = 0; i < dIn; i++) wDec[f * dIn + i]! /= n;
        bEnc[f]! *= n;
        if (bMag) bMag[f]! *= n;
        if (threshold) threshold[f]! *= n;
      }
      // Row by row: W_enc is [d_in, d_sae], so a column-wise pass would stride through memory.
      for (let i = 0; i < dIn; i++) for (let f = 0; f < dSae; f++) wEnc[i * dSae + f]! *= norms[f]!;
    }
    // The encoders go to ORT now; their JavaScript copies are dropped (matmul.ts), so the SAE's
    // encoder is in memory once and encoderVector reads its column from the file.
    const enc = prepareLinear(linearFromInOut(wEnc, dIn, dSae, bEnc));
    let encMag: Linear | undefined;
    if (gated) {
      const scaled = new Float32Array(wEnc);
      for (let i = 0; i < dIn; i++) for (let f = 0; f < dSae; f++) scaled[i * dSae + f]! *= Math.exp(rMag![f]!);
      encMag = prepareLinear(linearFromInOut(scaled, dIn, dSae, bMag));
    }
    return new Sae(cfg, enc, encMag, wDec, bDec, threshold, folder, norms);
  }

  /**
   * The folded encoder column of feature `index` (what `/v1/util/sae-vector` answers): from the
   * JavaScript copy when there is one, else from the file, folded as load() folds it (the same
   * float32 product, so the same values).
   */
  async encoderVector(index: number): Promise<Float32Array> {
    const { dIn, dSae } = this.cfg;
    if (this.enc.w.length > 0) return Float32Array.from({ length: dIn }, (_, i) => this.enc.w[i * dSae + index]!);
    const raw = (await readSafetensors(join(this.folder, 'sae_weights.safetensors'))).get('W_enc')!.data;
    const n = this.norms ? this.norms[index]! : 1;
    return Float32Array.from({ length: dIn }, (_, i) => raw[i * dSae + index]! * n);
  }

  /** The folded decoder row of feature `index` (the steering direction). */
  decoderVector(index: number): Float32Array {
    return this.wDec.slice(index * this.cfg.dIn, (index + 1) * this.cfg.dIn);
  }

  /** Feature activations `[rows, d_sae]` of `x` (`[rows, d_in]`, the activations at the hook). */
  encode(x: Float32Array, rows: number): Float32Array {
    const { dSae, architecture } = this.cfg;
    const s = this.preprocess(x, rows);
    const pre = linear(this.enc, s, rows);
    if (architecture === 'gated') {
      const mag = linear(this.encMag!, s, rows);
      for (let i = 0; i < pre.length; i++) pre[i] = pre[i]! > 0 && mag[i]! > 0 ? mag[i]! : 0;
      return pre;
    }
    if (architecture === 'topk') return this.topk(pre, rows);
    const th = this.threshold;
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < dSae; f++) {
        const i = r * dSae + f;
        const v = pre[i]!;
        pre[i] = v > 0 && (!th || v > th[f]!) ? v : 0;
      }
    }
    return pre;
  }

  private preprocess(x: Float32Array, rows: number): Float32Array {
    const { dIn, normalizeActivations: norm, applyBDecToInput } = this.cfg;
    const s = new Float32Array(rows * dIn);
    for (let r = 0; r < rows; r++) {
      const o = r * dIn;
      let scale = 1;
      let shift = 0;
      if (norm === 'constant_norm_rescale') {
        let sq = 0;
        for (let i = 0; i < dIn; i++) sq += x[o + i]! ** 2;
        scale = Math.sqrt(dIn) / Math.sqrt(sq);
      } else if (norm === 'layer_norm') {
        let mean = 0;
        for (let i = 0; i < dIn; i++) mean += x[o + i]!;
        mean /= dIn;
        let v = 0;
        for (let i = 0; i < dIn; i++) v += (x[o + i]! - mean) ** 2;
        shift = mean;
        scale = 1 / (Math.sqrt(v / (dIn - 1)) + 1e-5); // torch.std: unbiased
      }
      for (let i = 0; i < dIn; i++) {
        s[o + i] = (x[o + i]! - shift) * scale - (applyBDecToInput ? this.bDec[i]! : 0);
      }
    }
    return s;
  }

  private topk(pre: Float32Array, rows: number): Float32Array {
    const { dSae, dIn, k, rescaleActsByDecoderNorm } = this.cfg;
    if (rescaleActsByDecoderNorm) {
      // After folding every decoder row has norm 1; computed anyway so an unfolded SAE is right too.
      for (let f = 0; f < dSae; f++) {
        let sq = 0;
        for (let i = 0; i < dIn; i++) sq += this.wDec[f * dIn + i]! ** 2;
        const n = Math.sqrt(sq);
        for (let r = 0; r < rows; r++) pre[r * dSae + f]! *= n;
      }
    }
    const out = new Float32Array(rows * dSae);
    const order = new Int32Array(dSae);
    for (let r = 0; r < rows; r++) {
      const row = pre.subarray(r * dSae, (r + 1) * dSae);
      for (let f = 0; f < dSae; f++) order[f] = f;
      order.sort((a, b) => row[b]! - row[a]! || a - b);
      for (let j = 0; j < Math.min(k, dSae); j++) {
        const f = order[j]!;
        out[r * dSae + f] = Math.max(row[f]!, 0);
      }
    }
    return out;
  }
}
