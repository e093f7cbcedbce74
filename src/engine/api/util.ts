// /v1/util/sae-vector and /v1/tokenize.
import { InvalidInput } from '../../errors.js';
import type { Registry } from '../registry.js';

/** The folded SAE's encoder column `W_enc[:, index]` (upstream endpoints/util/sae_vector.py). */
export async function saeVector(registry: Registry, req: { model: string; source: string; index: number }) {
  await registry.model(req.model);
  const sae = await registry.sae(req.model, req.source);
  if (!Number.isInteger(req.index) || req.index < 0 || req.index >= sae.cfg.dSae) {
    throw new InvalidInput(`index ${req.index} is not a feature of ${req.source} (0 to ${sae.cfg.dSae - 1})`);
  }
  return { hookName: sae.cfg.hookName, vector: Array.from(sae.encoderVector(req.index)) };
}

/** GPT-2's tokenizer adds no BOS unless asked (`prependBos: true`). */
export async function tokenize(registry: Registry, req: { model: string; text: string; prependBos?: boolean | null }) {
  const { tokenizer } = await registry.model(req.model);
  const prependBos = req.prependBos === true;
  const tokens = [...(prependBos ? [tokenizer.bosTokenId] : []), ...tokenizer.encode(req.text)];
  return { tokens, tokenStrings: tokenizer.tokenStrings(tokens), prependBos };
}
