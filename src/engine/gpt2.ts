// GPT-2 forward pass over Hugging Face checkpoints (config.json + model.safetensors), computing
// what `GPT2LMHeadModel` computes (modeling_gpt2.py) with no weight processing: the hooks see the
// raw residual stream, as Neuronpedia serves it. Conv1D weights are `[in, out]`; `c_attn` packs
// q|k|v; the unembedding is tied to `wte`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linear, linearFromInOut, linearFromOutIn, prepareLinear, type Linear } from './matmul.js';
import type { ForwardOptions, HookFn, KvCache, LanguageModel, ModelConfig, Step } from './model.js';
import { addInto, geluNew, layerNorm } from './ops.js';
import { readSafetensors, type Tensor } from './safetensors.js';

interface Block {
  ln1w: Float32Array;
  ln1b: Float32Array;
  attn: Linear;
  proj: Linear;
  ln2w: Float32Array;
  ln2b: Float32Array;
  fc: Linear;
  out: Linear;
}

/** One sequence of a pass: its new ids, its cache, and where its rows start in the packed rows. */
interface Segment {
  ids: number[];
  cache: Gpt2Cache;
  row: number;
}

interface Gpt2Cache extends KvCache {
  keys: Float32Array[];
  values: Float32Array[];
  capacity: number;
}

export class Gpt2 implements LanguageModel {
  private constructor(
    readonly config: ModelConfig & { eps: number },
    private readonly wte: Float32Array,
    private readonly wpe: Float32Array,
    private readonly blocks: Block[],
    private readonly lnf: { w: Float32Array; b: Float32Array },
    private readonly unembed: Linear,
  ) {}

  static async load(folder: string): Promise<Gpt2> {
    const raw = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    const num = (k: string, fallback?: number): number => {
      const v = raw[k] ?? fallback;
      if (typeof v !== 'number') throw new Error(`${folder}/config.json: ${k} missing`);
      return v;
    };
    const act = raw.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new') throw new Error(`${folder}: activation ${String(act)} is not supported (gelu_new only)`);
    const d = num('n_embd');
    const cfg = {
      nLayer: num('n_layer'),
      nHead: num('n_head'),
      dModel: d,
      nCtx: num('n_positions', raw.n_ctx as number),
      vocabSize: num('vocab_size'),
      bosTokenId: num('bos_token_id', 50256),
      eosTokenId: num('eos_token_id', 50256),
      eps: num('layer_norm_epsilon', 1e-5),
    };
    const dMlp = typeof raw.n_inner === 'number' ? raw.n_inner : 4 * d;
    const tensors = await readSafetensors(join(folder, 'model.safetensors'));
    const get = (name: string, shape: number[]): Float32Array => {
      // Checkpoints saved from GPT2LMHeadModel prefix every name with `transformer.`.
      const t: Tensor | undefined = tensors.get(name) ?? tensors.get(`transformer.${name}`);
      if (!t) throw new Error(`${folder}/model.safetensors: tensor ${name} missing`);
      if (t.shape.join() !== shape.join()) {
        throw new Error(`${folder}: ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
      }
      return t.data;
    };
    // The matrices go to ORT (prepareLinear), which keeps its own copy; everything the JavaScript
    // side reads itself is copied out of the file's buffer, so that buffer is freed after loading
    // and the weights are in memory once (the embedding, read by both sides, twice).
    const own = (name: string, shape: number[]) => get(name, shape).slice();
    const blocks: Block[] = [];
    for (let l = 0; l < cfg.nLayer; l++) {
      const p = `h.${l}.`;
      const lin = (name: string, inDim: number, outDim: number) =>
        prepareLinear(linearFromInOut(get(`${p}${name}.weight`, [inDim, outDim]), inDim, outDim, get(`${p}${name}.bias`, [outDim])));
      blocks.push({
        ln1w: own(p + 'ln_1.weight', [d]),
        ln1b: own(p + 'ln_1.bias', [d]),
        attn: lin('attn.c_attn', d, 3 * d),
        proj: lin('attn.c_proj', d, d),
        ln2w: own(p + 'ln_2.weight', [d]),
        ln2b: own(p + 'ln_2.bias', [d]),
        fc: lin('mlp.c_fc', d, dMlp),
        out: lin('mlp.c_proj', dMlp, d),
      });
    }
    const wte = own('wte.weight', [cfg.vocabSize, d]);
    const lnf = { w: own('ln_f.weight', [d]), b: own('ln_f.bias', [d]) };
    const unembed = prepareLinear(linearFromOutIn(wte, d, cfg.vocabSize));
    return new Gpt2(cfg, wte, own('wpe.weight', [cfg.nCtx, d]), blocks, lnf, unembed);
  }

  hookNames(): string[] {
    const names = ['hook_embed'];
    for (let l = 0; l < this.config.nLayer; l++) {
      for (const h of ['hook_resid_pre', 'attn.hook_z', 'hook_attn_out', 'hook_resid_mid', 'hook_mlp_out']) {
        names.push(`blocks.${l}.${h}`);
      }
      names.push(`blocks.${l}.hook_resid_post`);
    }
    return names;
  }

  newCache(capacity = this.config.nCtx): Gpt2Cache {
    const size = capacity * this.config.dModel;
    const keys = this.blocks.map(() => new Float32Array(size));
    const values = this.blocks.map(() => new Float32Array(size));
    return { length: 0, keys, values, capacity };
  }

  forward(ids: number[], opts: ForwardOptions = {}): Float32Array {
    const cache = (opts.cache as Gpt2Cache | undefined) ?? this.newCache(ids.length);
    return this.run([{ ids, cache, row: 0 }], opts);
  }

  /**
   * Several independent sequences in one pass, activations only: their rows are packed one after
   * another (the hook sees all of them, sequence by sequence), every matrix product runs once over
   * all rows, and attention stays within each sequence (own positions from 0, own causal mask).
   */
  forwardPacked(seqs: number[][], opts: Pick<ForwardOptions, 'hook' | 'lastLayer'> = {}): void {
    let row = 0;
    const segs = seqs.map((ids) => {
      const seg = { ids, cache: this.newCache(ids.length), row };
      row += ids.length;
      return seg;
    });
    this.run(segs, { ...opts, logits: 'none' });
  }

  forwardSteps(steps: Step[]): Float32Array[] {
    let row = 0;
    const segs = steps.map(({ ids, cache }) => {
      const seg = { ids, cache: cache as Gpt2Cache, row };
      row += ids.length;
      return seg;
    });
    // Each generation's hook (its steering) sees its own rows only.
    const hook: HookFn = (name, h, _rows, width) => {
      steps.forEach((s, i) => {
        const { row: r, ids } = segs[i]!;
        s.hook?.(name, h.subarray(r * width, (r + ids.length) * width), ids.length, width);
      });
    };
    const v = this.config.vocabSize;
    const logits = this.run(
      segs,
      { hook, logits: 'last' },
      segs.map((s) => s.row + s.ids.length - 1),
    );
    return segs.map((_, i) => logits.subarray(i * v, (i + 1) * v));
  }

  /** `lastRows`: with logits 'last', the rows whose logits to compute (default: the final row). */
  private run(segs: Segment[], opts: ForwardOptions, lastRows?: number[]): Float32Array {
    const { nLayer, dModel: d, nCtx, vocabSize } = this.config;
    let n = 0;
    for (const { ids, cache } of segs) {
      if (cache.length + ids.length > Math.min(nCtx, cache.capacity)) {
        throw new Error(`sequence of ${cache.length + ids.length} tokens is longer than the model's context (${nCtx})`);
      }
      n += ids.length;
    }
    const hook: HookFn = opts.hook ?? (() => {});
    const x = new Float32Array(n * d);
    for (const { ids, row } of segs) {
      for (let t = 0; t < ids.length; t++) {
        const id = ids[t]!;
        if (!(id >= 0 && id < vocabSize)) throw new Error(`token id ${id} is outside the vocabulary`);
        x.set(this.wte.subarray(id * d, id * d + d), (row + t) * d);
      }
    }
    hook('hook_embed', x, n, d);
    for (const { ids, cache, row } of segs) {
      addInto(x.subarray(row * d, (row + ids.length) * d), this.wpe.subarray(cache.length * d, (cache.length + ids.length) * d));
    }
    const last = Math.min(opts.lastLayer ?? nLayer - 1, nLayer - 1);
    hook('blocks.0.hook_resid_pre', x, n, d);
    for (let l = 0; l <= last; l++) {
      this.block(l, x, n, segs, hook);
      hook(`blocks.${l}.hook_resid_post`, x, n, d);
      if (l + 1 < nLayer) hook(`blocks.${l + 1}.hook_resid_pre`, x, n, d);
    }
    for (const seg of segs) seg.cache.length += seg.ids.length;
    const which = opts.logits ?? 'all';
    if (which === 'none' || last < nLayer - 1) return new Float32Array(0);
    let tail = x;
    let rows = n;
    if (which === 'last') {
      const picked = lastRows ?? [n - 1];
      tail = new Float32Array(picked.length * d);
      picked.forEach((r, i) => tail.set(x.subarray(r * d, (r + 1) * d), i * d));
      rows = picked.length;
    }
    const normed = layerNorm(tail, rows, d, this.lnf.w, this.lnf.b, this.config.eps);
    return linear(this.unembed, normed, rows);
  }

  private block(l: number, x: Float32Array, n: number, segs: Segment[], hook: HookFn): void {
    const { dModel: d, eps } = this.config;
    const b = this.blocks[l]!;
    const qkv = linear(b.attn, layerNorm(x, n, d, b.ln1w, b.ln1b, eps), n);
    const z = new Float32Array(n * d);
    for (const seg of segs) this.attend(l, qkv, z, seg);
    hook(`blocks.${l}.attn.hook_z`, z, n, d);
    const attnOut = linear(b.proj, z, n);
    hook(`blocks.${l}.hook_attn_out`, attnOut, n, d);
    addInto(x, attnOut);
    hook(`blocks.${l}.hook_resid_mid`, x, n, d);
    const mlpOut = linear(b.out, geluNew(linear(b.fc, layerNorm(x, n, d, b.ln2w, b.ln2b, eps), n)), n);
    hook(`blocks.${l}.hook_mlp_out`, mlpOut, n, d);
    addInto(x, mlpOut);
  }

  /** Causal attention of one sequence's new rows over its cache; writes their rows of `z`. */
  private attend(l: number, qkv: Float32Array, z: Float32Array, { ids, cache, row }: Segment): void {
    const { dModel: d, nHead } = this.config;
    const dh = d / nHead;
    const n = ids.length;
    const start = cache.length;
    const keys = cache.keys[l]!;
    const values = cache.values[l]!;
    for (let t = 0; t < n; t++) {
      const r = (row + t) * 3 * d;
      keys.set(qkv.subarray(r + d, r + 2 * d), (start + t) * d);
      values.set(qkv.subarray(r + 2 * d, r + 3 * d), (start + t) * d);
    }
    const scores = new Float32Array(start + n);
    const scale = 1 / Math.sqrt(dh);
    for (let t = 0; t < n; t++) {
      const upto = start + t; // causal: position start+t sees 0..start+t
      for (let h = 0; h < nHead; h++) {
        const qo = (row + t) * 3 * d + h * dh;
        let max = -Infinity;
        for (let j = 0; j <= upto; j++) {
          let s = 0;
          const ko = j * d + h * dh;
          for (let i = 0; i < dh; i++) s += qkv[qo + i]! * keys[ko + i]!;
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j <= upto; j++) {
          const e = Math.exp(scores[j]! - max);
          scores[j] = e;
          sum += e;
        }
        const zo = (row + t) * d + h * dh;
        for (let j = 0; j <= upto; j++) {
          const p = scores[j]! / sum;
          const vo = j * d + h * dh;
          for (let i = 0; i < dh; i++) z[zo + i]! += p * values[vo + i]!;
        }
      }
    }
  }
}
