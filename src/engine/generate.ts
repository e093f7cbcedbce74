// Token-by-token generation with a KV cache: one forward over the prompt (prefill), then one
// position per step. Upstream's loop (interp-engine eager): greedy when temperature <= 0, else a
// sample from softmax(logits/T); stop after EOS (which is emitted) or maxNew tokens.
// The loop is a coroutine (`generation`) that yields each forward step it needs and is resumed with
// that step's logits, so one driver can run several generations' steps as one packed pass
// (worker/steer-batch.ts); `generate` drives one alone.
import type { HookFn, KvCache, LanguageModel, Step } from './model.js';
import { mulberry32 } from '../random.js';

export interface GenerateOptions {
  maxNew: number;
  temperature?: number;
  /** Seed of the sampler (ignored when greedy). Sampled text cannot match torch's RNG. */
  seed?: number;
  hook?: HookFn;
  /** Called with each new id as soon as it is chosen (streaming), and the logits it was chosen from. */
  onToken?: (id: number, logits: Float32Array) => void;
  /** Stops generating (the client went away); the ids so far are returned. An AbortSignal, or
   * any object whose `aborted` turns true (the engine worker's flag shared with the server). */
  signal?: { readonly aborted: boolean };
}

/** Generation step by step: yields each forward it needs, resumed with its last row's logits. */
export function* generation(model: LanguageModel, prompt: number[], opts: GenerateOptions): Generator<Step, number[], Float32Array> {
  const cache: KvCache = model.newCache();
  const random = mulberry32(opts.seed ?? 0);
  const out: number[] = [];
  let logits = yield { ids: prompt, cache, hook: opts.hook };
  for (let step = 0; step < opts.maxNew; step++) {
    if (opts.signal?.aborted) break;
    const next = pick(logits, opts.temperature ?? 0, random);
    out.push(next);
    opts.onToken?.(next, logits);
    if (next === model.config.eosTokenId || step + 1 === opts.maxNew) break;
    logits = yield { ids: [next], cache, hook: opts.hook };
  }
  return out;
}

/** Runs a step coroutine alone, each step a forward pass of its own. */
export function drive<T>(model: LanguageModel, steps: Generator<Step, T, Float32Array>): T {
  let r = steps.next();
  while (!r.done) r = steps.next(model.forward(r.value.ids, { cache: r.value.cache, hook: r.value.hook, logits: 'last' }));
  return r.value;
}

export function generate(model: LanguageModel, prompt: number[], opts: GenerateOptions): number[] {
  return drive(model, generation(model, prompt, opts));
}

function pick(logits: Float32Array, temperature: number, random: () => number): number {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i]! - max) / temperature);
  let u = random() * sum;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u <= 0) return i;
  }
  return p.length - 1;
}
