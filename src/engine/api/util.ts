// /v1/util/sae-vector, /v1/util/similarity-matrix-pred and /v1/tokenize.
import { InvalidInput } from '../../errors.js';
import type { Registry } from '../registry.js';

/** The folded SAE's encoder column `W_enc[:, index]` (upstream endpoints/util/sae_vector.py). */
export async function saeVector(registry: Registry, req: { model: string; source: string; index: number }) {
  await registry.model(req.model);
  const sae = await registry.sae(req.model, req.source);
  if (!Number.isInteger(req.index) || req.index < 0 || req.index >= sae.cfg.dSae) {
    throw new InvalidInput(`index ${req.index} is not a feature of ${req.source} (0 to ${sae.cfg.dSae - 1})`);
  }
  return { hookName: sae.cfg.hookName, vector: Array.from(await sae.encoderVector(req.index)) };
}

export const NOT_TEMPORAL_ERROR = 'SAE architecture is not temporal';

/**
 * Upstream's /v1/util/similarity-matrix-pred (endpoints/util/similarity_matrix_pred.py): cosine
 * similarities of a temporal SAE's centred per-token predictions. It answers 400 for any other
 * architecture, checked after the SAE is found and before the text is read; every architecture the
 * engine runs (standard, jumprelu, topk, gated) is one of those, and SAELens has no temporal SAE
 * format to load. So the engine gives upstream's answers for those SAEs: the 400, or its errors for
 * a model or source that is not there.
 */
export async function similarityMatrixPred(registry: Registry, req: { modelId: string; sourceId: string }): Promise<never> {
  await registry.model(req.modelId);
  await registry.sae(req.modelId, req.sourceId);
  throw new InvalidInput(NOT_TEMPORAL_ERROR);
}

/** GPT-2's tokenizer adds no BOS unless asked (`prependBos: true`). */
export async function tokenize(registry: Registry, req: { model: string; text: string; prependBos?: boolean | null }) {
  const { tokenizer } = await registry.model(req.model);
  const prependBos = req.prependBos === true;
  const tokens = [...(prependBos ? [tokenizer.bosTokenId] : []), ...tokenizer.encode(req.text)];
  return { tokens, tokenStrings: tokenizer.tokenStrings(tokens), prependBos };
}
