// The inference stand-in's tokenizer and utility endpoints: /v1/tokenize,
// /v1/util/similarity-matrix-pred, /v1/util/sae-topk-by-decoder-cossim and /v1/activation/attention,
// with the real server's wire fields; answers are deterministic functions of the request.
import { BOS, hash, tokenize } from './inference-tokens.js';
import type { InferenceDouble } from './inference-server.js';

type Body = Record<string, unknown>;
type Answer = { status: number; body: unknown };

export const UTIL_REQUIRED: Record<string, string[]> = {
  '/v1/tokenize': ['model', 'text'],
  // This one's wire names are modelId/sourceId (schemas/util.py SimilarityMatrixRequest).
  '/v1/util/similarity-matrix-pred': ['modelId', 'sourceId', 'index', 'text'],
  '/v1/util/sae-topk-by-decoder-cossim': ['model', 'source', 'numResults'],
  '/v1/activation/attention': ['prompt', 'model', 'layer', 'head'],
};

/** A query feature's (or vector's) nearest features in `source`: cosine from a hash, best first. */
function decoderCossim(double: InferenceDouble, body: Body): Answer {
  const query = body.feature ?? body.vector;
  if (!query) return { status: 400, body: { error: 'Either feature or vector must be provided' } };
  const key = JSON.stringify(body.feature ?? (body.vector as number[]).slice(0, 8));
  const top = Array.from({ length: double.featuresPerSource }, (_, index) => ({
    feature: { model: body.model as string, source: body.source as string, index },
    cosineSimilarity: ((hash(`${key}|${body.source}|${index}`) % 2000) - 1000) / 1000,
  }))
    .sort((a, b) => b.cosineSimilarity - a.cosineSimilarity || a.feature.index - b.feature.index)
    .slice(0, Math.min(body.numResults as number, 128));
  return { status: 200, body: { feature: body.feature ?? null, topkDecoderCossimFeatures: top } };
}

/** A causal head's attention: every key up to the query, COO-encoded as `q * seqLen + k`. */
function attention(body: Body): Answer {
  const tokens = tokenize(body.prompt as string);
  const seqLen = tokens.length;
  const attentionIndices: number[] = [];
  const attentionValues: number[] = [];
  for (let q = 0; q < seqLen; q++)
    for (let k = 0; k <= q; k++) {
      attentionIndices.push(q * seqLen + k);
      attentionValues.push((hash(`${body.layer}|${body.head}|${q}|${k}`) % 100) / 100);
    }
  return { status: 200, body: { seqLen, tokens, attentionIndices, attentionValues, maxActivation: Math.max(...attentionValues) } };
}

/** The answer to a utility path, or undefined for another path. */
export function utilAnswer(double: InferenceDouble, path: string, body: Body): Answer | undefined {
  switch (path) {
    case '/v1/tokenize': {
      // Ids from the hash: stable, and enough to tell tokens apart. BOS is 50256, as GPT-2's.
      const prependBos = (body.prependBos as boolean | undefined) ?? true;
      const strings = tokenize(body.text as string).slice(prependBos ? 0 : 1);
      return {
        status: 200,
        body: { tokens: strings.map((t) => (t === BOS ? 50256 : hash(t) % 50000)), tokenStrings: strings, prependBos },
      };
    }
    case '/v1/util/similarity-matrix-pred': {
      // BOS dropped from both axes, as the real endpoint does; 1 on the diagonal.
      const tokens = tokenize(body.text as string).slice(1);
      const matrix = tokens.map((a, i) => tokens.map((b, j) => (i === j ? 1 : ((hash(a + b) % 200) - 100) / 100)));
      return { status: 200, body: { similarity_matrix: matrix, tokens } };
    }
    case '/v1/util/sae-topk-by-decoder-cossim':
      return decoderCossim(double, body);
    case '/v1/activation/attention':
      return attention(body);
    default:
      return undefined;
  }
}
