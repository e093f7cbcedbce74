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

/**
 * POST /api/explanation/new: SAELens's autointerp upload. It also sends the activations and
 * simulations it scored with (`activations`, `simulationActivations`, `simulationModel`,
 * `simulationScore`); they are accepted and not stored.
 */
export const NewExplanationBody = Type.Object({
  feature: Type.Object(
    {
      modelId: ModelId,
      layer: SourceId,
      index: FeatureIndex,
      explanation: Type.String({ minLength: 1, maxLength: 4096 }),
      explanationModel: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
      explanationScore: Type.Optional(Nullable(Type.Number())),
      simulationScore: Type.Optional(Nullable(Type.Number())),
      typeName: Type.Optional(
        Nullable(Type.String({ maxLength: 256, description: 'Mirror extension: the explanation method, e.g. `oai_token-act-pair`.' })),
      ),
    },
    { additionalProperties: true },
  ),
});
export const NewExplanationResponse = Type.Object({
  message: Type.String(),
  url: Type.String({ description: "The feature's page." }),
  explanation: ExplanationRow,
});

export const ExplanationIdParams = Type.Object({ explanationId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ExplanationScoreIdParams = Type.Object({ explanationScoreId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ExplanationDetails = Type.Object(
  {
    id: Type.String(),
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    description: Type.String(),
    authorId: Type.String(),
    author: Nullable(Type.Object({ name: Type.String() })),
    scores: Type.Array(ExplanationScoreRow),
    neuron: Type.Object({}, { additionalProperties: true }),
    model: Type.Unknown(),
  },
  { additionalProperties: true },
);

/** GET /api/explanation/export: upstream's query parameters (its route took exactly these two). */
export const ExportExplanationsQuery = Type.Object({
  modelId: ModelId,
  saeId: SourceId,
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('jsonl')], {
      description: 'Mirror extension. `json` (default): one JSON array, as upstream answered; `jsonl`: one explanation a line.',
    }),
  ),
});
