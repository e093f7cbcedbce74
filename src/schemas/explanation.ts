// Request and response schemas of /api/explanation/* (and the docs page's /api/explanation-type/*
// and /api/score-type/*).
import { Type } from 'typebox';
import { FeatureIndex, ModelId, Nullable, SourceId } from './common.js';
import { ExplanationScoreRow } from './rows.js';

const ExplanationRow = Type.Object(
  {
    id: Type.String(),
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    description: Type.String(),
    typeName: Type.Union([Type.String(), Type.Null()]),
    explanationModelName: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: true },
);

const generateFields = {
  modelId: ModelId,
  layer: SourceId,
  index: FeatureIndex,
  explanationModelName: Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'An ExplanationModelType name; its openRouterModelId (or name) is the model asked.',
  }),
};

/** POST /api/explanation/generate */
export const GenerateExplanationBody = Type.Object({
  ...generateFields,
  explanationType: Type.String({ minLength: 1, maxLength: 256 }),
  useOpenRouter: Type.Optional(Type.Boolean()),
});
/** POST /api/explanation-type/eleuther_acts_top20 */
export const GenerateEleutherActsTop20Body = Type.Object(generateFields);
export const GenerateExplanationResponse = Type.Object({ explanation: ExplanationRow });

const ExplanationId = Type.String({ minLength: 1, maxLength: 64 });
const ScorerModel = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'An ExplanationScoreModel name (fuzz and recall); embedding scoring uses EMBEDDING_MODEL.',
  }),
);

/** POST /api/explanation/score */
export const ScoreExplanationBody = Type.Object({
  explanationId: ExplanationId,
  scorerType: Type.String({ minLength: 1, maxLength: 64 }),
  scorerModel: ScorerModel,
});
/** POST /api/score-type/{scorerType} */
export const ScoreTypeBody = Type.Object({ explanationId: ExplanationId, scorerModel: ScorerModel });
export const ScoreExplanationResponse = Type.Object({ score: ExplanationScoreRow });

const Query = Type.String({ minLength: 3, maxLength: 1000, description: 'What to look for, e.g. "legal contracts".' });
const Offset = Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Results to skip (pages of 20).' }));

/** POST /api/explanation/search */
export const SearchExplanationsBody = Type.Object({
  modelId: ModelId,
  layers: Type.Array(SourceId, { minItems: 1, maxItems: 1000 }),
  query: Query,
  offset: Offset,
});
/** POST /api/explanation/search-all */
export const SearchAllExplanationsBody = Type.Object({ query: Query, offset: Offset });
/** POST /api/explanation/search-model */
export const SearchModelExplanationsBody = Type.Object({ modelId: ModelId, query: Query, offset: Offset });
/** POST /api/explanation/search-release */
export const SearchReleaseExplanationsBody = Type.Object({
  releaseName: Type.String({ minLength: 1, maxLength: 256 }),
  query: Query,
  offset: Offset,
});

/** The answer of the four explanation searches. */
export const ExplanationSearchResponse = Type.Object(
  {
    request: Type.Unknown(),
    results: Type.Array(
      Type.Object(
        {
          modelId: Type.String(),
          layer: Type.String(),
          index: Type.String(),
          description: Type.String(),
          explanationModelName: Nullable(Type.String()),
          typeName: Nullable(Type.String()),
          cosine_similarity: Nullable(Type.Number({ description: 'Null in full-text mode.' })),
          neuron: Nullable(Type.Unknown()),
        },
        { additionalProperties: true },
      ),
    ),
    resultsCount: Type.Integer(),
    hasMore: Type.Boolean(),
    nextOffset: Type.Optional(Type.Integer()),
    searchMode: Type.Union([Type.Literal('semantic'), Type.Literal('fulltext')], {
      description:
        'Mirror extension: fulltext when no embedding service is configured, or when it is not the model the stored embeddings came from.',
    }),
    warning: Type.Optional(Type.String({ description: 'Why the search was not semantic, when an embedding service is configured.' })),
  },
  { title: 'ExplanationSearchResult' },
);
