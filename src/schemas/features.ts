// Request and response schemas of POST /api/features (a batch read).
import { Type } from 'typebox';
import { FeatureIndex, ModelId, Nullable, SourceId } from './common.js';
import { neuronColumns } from './rows.js';
import { FeatureActivation } from './feature.js';

/** Upper bound on one batch read, so one request cannot ask for the whole database. */
export const MAX_FEATURES_PER_REQUEST = 1024;

export const FeaturesRequest = Type.Array(
  Type.Object({
    modelId: ModelId,
    layer: SourceId,
    index: FeatureIndex,
    maxActsToReturn: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "Activations to return per feature, strongest first; 0 or absent: all. As upstream, only the first item's value is used.",
      }),
    ),
  }),
  { maxItems: MAX_FEATURES_PER_REQUEST, description: `Features to read (at most ${MAX_FEATURES_PER_REQUEST}).` },
);

export const FeaturesResponse = Type.Array(
  Type.Object(
    {
      ...neuronColumns,
      explanations: Type.Array(
        Type.Object({
          description: Type.String(),
          explanationModelName: Nullable(Type.String()),
          typeName: Nullable(Type.String()),
          modelId: Type.String(),
          layer: Type.String(),
          source: Type.String(),
          index: Type.String(),
        }),
      ),
      activations: Type.Array(FeatureActivation),
    },
    { additionalProperties: true, title: 'FeatureSummary' },
  ),
);
