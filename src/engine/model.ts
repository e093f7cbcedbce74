// What the engine needs from a language model, whatever its architecture: GPT-2 implements it
// (gpt2.ts); a Llama/Gemma-style family would be a second implementation of the same interface.

/**
 * Called at every hook point with the activations of the positions being computed (`rows` ×
 * `width`, row-major). It may read them (capture) or change them in place (steering); the model
 * continues with whatever the array holds afterwards.
 * Hook names are TransformerLens/SAELens names (`blocks.3.hook_resid_pre`, `blocks.3.attn.hook_z`),
 * plus `hook_embed`, the token embedding before positions are added (where Neuronpedia's current
 * server steers `blocks.0.hook_resid_pre`).
 */
export type HookFn = (name: string, h: Float32Array, rows: number, width: number) => void;

export interface ModelConfig {
  nLayer: number;
  nHead: number;
  dModel: number;
  nCtx: number;
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
}

/** Keys and values of the positions seen so far, so decoding computes only the new position. */
export interface KvCache {
  /** Positions already in the cache. */
  length: number;
}

export interface ForwardOptions {
  /** Continue from (and extend) this cache; without one the ids are the whole sequence. */
  cache?: KvCache;
  hook?: HookFn;
  /** Which logits to compute: every new position, the last one, or none (activations only). */
  logits?: 'all' | 'last' | 'none';
  /** Stop after this block (activations only; skips the rest of the model). */
  lastLayer?: number;
}

/** One generation step: new ids continuing a cache, under that generation's hook. */
export interface Step {
  ids: number[];
  cache: KvCache;
  hook?: HookFn;
}

export interface LanguageModel {
  readonly config: ModelConfig;
  newCache(): KvCache;
  /** Logits `[rows, vocab]` per `opts.logits` (empty when 'none'). */
  forward(ids: number[], opts?: ForwardOptions): Float32Array;
  /**
   * Several independent sequences in one pass, activations only (each from position 0, no cache):
   * the hook sees their rows packed in order (`rows` = the sum of their lengths), and each row's
   * values equal those of a pass over its sequence alone.
   */
  forwardPacked(seqs: number[][], opts?: Pick<ForwardOptions, 'hook' | 'lastLayer'>): void;
  /**
   * Several generations' steps in one pass (each its own cache and hook, which sees only its own
   * rows); returns each step's last-row logits, as `forward(…, { logits: 'last' })` would.
   */
  forwardSteps(steps: Step[]): Float32Array[];
  /** Every hook name the model emits, in order. */
  hookNames(): string[];
}
