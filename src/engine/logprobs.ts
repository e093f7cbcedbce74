// Log-probabilities of generated tokens, as Neuronpedia's TransformerLens-era inference server
// returned them with `nLogprobs` > 0 (utils.py make_logprob_from_logits; the current server leaves
// them null): log_softmax of the step's logits (before temperature), the chosen token's value and
// the top n, highest first (ties: lower id first). A non-finite value becomes −100, as upstream
// does for the top n; the chosen token's too here, since JSON has no −Infinity.
import { topIndices } from './top.js';

export interface TokenLogprob {
  token: string;
  logprob: number;
  topLogprobs: { token: string; logprob: number }[];
}
/** Upstream's cap on `nLogprobs`. */
export const MAX_LOGPROBS = 10;

const finite = (x: number) => (Number.isFinite(x) ? x : -100);

export function tokenLogprob(logits: Float32Array, id: number, n: number, decode: (id: number) => string): TokenLogprob {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  let sum = 0;
  for (const l of logits) sum += Math.exp(l - max);
  const logZ = max + Math.log(sum);
  const top = topIndices(logits, n);
  return {
    token: decode(id),
    logprob: finite(logits[id]! - logZ),
    topLogprobs: top.map((i) => ({ token: decode(i), logprob: finite(logits[i]! - logZ) })),
  };
}
