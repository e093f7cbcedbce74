// Request and response schemas of /api/tokenize and /api/similarity-matrix-pred.
import { Type } from 'typebox';
import { ModelId, SourceId } from './common.js';
/** Upstream's MAX_TOKENIZE_CHARS. */
const MAX_TOKENIZE_CHARS = 10_000;

export const TokenizeBody = Type.Object({
  prompt: Type.String({ minLength: 1, maxLength: MAX_TOKENIZE_CHARS }),
  modelId: ModelId,
  prependBos: Type.Optional(Type.Boolean({ default: true })),
});
export const TokenizeResponse = Type.Object({
  tokens: Type.Array(Type.Integer()),
  tokenStrings: Type.Array(Type.String()),
  prependBos: Type.Boolean(),
});

export const SimilarityMatrixBody = Type.Object({
  modelId: ModelId,
  sourceId: SourceId,
  // The 700-character limit is checked in the service, with upstream's message.
  text: Type.String({ minLength: 1, maxLength: 65_536 }),
});
export const SimilarityMatrixResponse = Type.Object({
  similarity_matrix: Type.Array(Type.Array(Type.Number())),
  tokens: Type.Array(Type.String()),
});
