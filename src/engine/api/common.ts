// What every /v1 answer starts with: the prompt's tokens (with upstream's BOS rule and token
// limit) and the residual stream at the hooks its SAEs read.
import { InvalidInput } from '../../errors.js';
import type { LoadedModel } from '../registry.js';
import type { Sae } from '../sae.js';
import { ENDOFTEXT } from '../tokenizer.js';

export interface EngineLimits {
  /** Longest prompt in tokens (upstream's TOKEN_LIMIT; its public gpt2-small pod uses 400). */
  tokenLimit: number;
}

/**
 * Upstream: `if not prompt.startswith("<|endoftext|>"): prompt = "<|endoftext|>" + prompt`, then
 * tokenized with special tokens recognised anywhere; `tokens` are the per-token strings.
 */
export function prepareTokens(
  loaded: LoadedModel,
  prompt: string,
  limits: EngineLimits,
  addBos = true,
): { ids: number[]; tokens: string[] } {
  const text = addBos && !prompt.startsWith(ENDOFTEXT) ? ENDOFTEXT + prompt : prompt;
  const ids = loaded.tokenizer.encode(text);
  const max = Math.min(limits.tokenLimit, loaded.model.config.nCtx);
  if (ids.length > max) throw new InvalidInput(`Text too long: ${ids.length} tokens, max is ${max}`);
  if (ids.length === 0) throw new InvalidInput('The prompt has no tokens');
  return { ids, tokens: loaded.tokenizer.tokenStrings(ids) };
}

function layerOf(hook: string): number {
  const m = /^blocks\.(\d+)\./.exec(hook);
  return m ? Number(m[1]) : 0;
}

/** One forward pass (stopping after the deepest block needed, no logits) capturing these hooks. */
export function residualsAt(loaded: LoadedModel, ids: number[], hooks: string[]): Map<string, Float32Array> {
  const known = new Set(loaded.model.hookNames());
  for (const h of hooks) if (!known.has(h)) throw new InvalidInput(`Unknown hook: ${h}`);
  const wanted = new Set(hooks);
  const out = new Map<string, Float32Array>();
  loaded.model.forward(ids, {
    logits: 'none',
    lastLayer: Math.max(0, ...hooks.map(layerOf)),
    hook: (name, h) => {
      if (wanted.has(name)) out.set(name, h.slice());
    },
  });
  return out;
}

/** The SAE's activations `[T, d_sae]` on the captured residuals. */
export function encodeSource(sae: Sae, resid: Map<string, Float32Array>, T: number): Float32Array {
  const x = resid.get(sae.cfg.hookName);
  if (!x) throw new Error(`no activations captured at ${sae.cfg.hookName}`);
  if (x.length !== T * sae.cfg.dIn) {
    throw new InvalidInput(`The SAE reads ${sae.cfg.dIn} values at ${sae.cfg.hookName}; the model has ${x.length / T}`);
  }
  return sae.encode(x, T);
}
