// Request and response schemas of /api/search-all, the docs page's /api/search, and
// /api/search-topk-by-token (searches through the inference server).
import { Type } from 'typebox';
import { DEFAULT_NUM_RESULTS } from '../constants.js';
import { MAX_TEXT_CHARS, ModelId, SourceId } from './common.js';

const MAX_TEXTS = 256;
const Text = Type.Union(
  [Type.String({ maxLength: MAX_TEXT_CHARS }), Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { maxItems: MAX_TEXTS })],
  {
    description: `The text to search with, or several (at most ${MAX_TEXTS}); several are searched in one batch without joining features.`,
  },
);
const SetName = Type.String({ minLength: 1, maxLength: 256, description: 'Source set (SAE set), e.g. `res-jb`.' });
const Result = Type.Object(
  {
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    values: Type.Array(Type.Number()),
    maxValue: Type.Number(),
    maxValueIndex: Type.Integer(),
    neuron: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'The feature: Neuron row, top activation, explanations, model.' }),
    ),
  },
  { additionalProperties: true },
);

/** The answer of /api/search-all and /api/search. */
export const SearchAllResponse = Type.Union([
  Type.Object({ tokens: Type.Array(Type.String()), result: Type.Array(Result), sortIndexes: Type.Array(Type.Integer()) }),
  Type.Object({
    results: Type.Array(
      Type.Object({ tokens: Type.Array(Type.String()), result: Type.Array(Result), sortIndexes: Type.Array(Type.Integer()) }),
    ),
  }),
]);

/** POST /api/search-all */
export const SearchAllBody = Type.Object({
  modelId: ModelId,
  sourceSet: SetName,
  text: Text,
  selectedLayers: Type.Optional(
    Type.Array(SourceId, { maxItems: 1024, description: 'Sources to search; empty or absent: all of the set.' }),
  ),
  sortIndexes: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0, maximum: 100_000 }), {
      maxItems: 1024,
      description: 'Token positions to rank by (sum of activations there); empty: rank by max activation.',
    }),
  ),
  ignoreBos: Type.Optional(Type.Boolean({ default: true })),
  densityThreshold: Type.Optional(Type.Number({ description: 'Between 0 and 1, or -1 (default) for no filter.' })),
  numResults: Type.Optional(Type.Integer({ description: `1 to 100, default ${DEFAULT_NUM_RESULTS}.` })),
});

/** POST /api/search (the docs page's field names) */
export const SearchBody = Type.Object({
  model: ModelId,
  sae_set: SetName,
  text: Text,
  top_k: Type.Optional(Type.Integer({ description: `1 to 100, default ${DEFAULT_NUM_RESULTS}.` })),
});

/** POST /api/search-topk-by-token */
export const SearchTopkByTokenBody = Type.Object({
  modelId: Type.String({ minLength: 1, maxLength: 50 }),
  source: Type.String({ minLength: 1, maxLength: 50 }),
  text: Text,
  numResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 10 })),
  ignoreBos: Type.Optional(Type.Boolean({ default: true })),
  densityThreshold: Type.Optional(Type.Number({ default: 0.01 })),
});
export const SearchTopkByTokenResponse = Type.Union([
  Type.Object({ source: Type.String(), results: Type.Array(Type.Object({}, { additionalProperties: true })) }),
  Type.Object({
    results: Type.Array(Type.Object({ source: Type.String(), results: Type.Array(Type.Object({}, { additionalProperties: true })) })),
  }),
]);
