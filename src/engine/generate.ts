// Token-by-token generation with a KV cache: one forward over the prompt (prefill), then one
// position per step. Upstream's loop (interp-engine eager): greedy when temperature <= 0, else a
// sample from softmax(logits/T); stop after EOS (which is emitted) or maxNew tokens.
import type { HookFn, LanguageModel } from './model.js';
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

export function generate(model: LanguageModel, prompt: number[], opts: GenerateOptions): number[] {
  const cache = model.newCache();
  const random = mulberry32(opts.seed ?? 0);
  const out: number[] = [];
  let logits = model.forward(prompt, { cache, hook: opts.hook, logits: 'last' });
  for (let step = 0; step < opts.maxNew; step++) {
    if (opts.signal?.aborted) break;
    const next = pick(logits, opts.temperature ?? 0, random);
    out.push(next);
    opts.onToken?.(next, logits);
    if (next === model.config.eosTokenId || step + 1 === opts.maxNew) break;
    logits = model.forward([next], { cache, hook: opts.hook, logits: 'last' });
  }
  return out;
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
