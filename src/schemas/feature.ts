// Request and response schemas of /api/feature/*.
import { Type } from 'typebox';
import { FeatureIndexParam, ModelId, Nullable, SourceId } from './common.js';
import { ActivationRow, ExplanationScoreRow, ModelRow, neuronColumns, SourceRow, SourceSetRow } from './rows.js';

export const FeatureParams = Type.Object({ modelId: ModelId, layer: SourceId, index: FeatureIndexParam });

/** Where a row belongs; the real server omits these, the Python client reads them. */
const location = {
  modelId: Type.String(),
  layer: Type.String(),
  source: Type.String({ description: 'Same as `layer` (the source id); added for the Python client.' }),
  index: Type.String(),
};

export const FeatureActivation = Type.Intersect([ActivationRow, Type.Object({ source: location.source })], { title: 'FeatureActivation' });

export const FeatureExplanation = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    explanationModelName: Nullable(Type.String()),
    typeName: Nullable(Type.String()),
    triggeredByUser: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
    scores: Type.Array(ExplanationScoreRow),
    ...location,
  },
  { additionalProperties: true, title: 'FeatureExplanation' },
);

export const FeatureResponse = Type.Object(
  {
    ...neuronColumns,
    model: ModelRow,
    source: SourceRow,
    sourceSet: Nullable(SourceSetRow),
    creator: Nullable(Type.Object({ name: Type.String() })),
    lists: Type.Array(Type.Unknown(), { description: 'Lists containing this feature, each with its `list` row.' }),
    comments: Type.Array(Type.Unknown(), { description: 'Comments on this feature (always empty on a mirror without comments).' }),
    activations: Type.Array(FeatureActivation, { description: "All of the feature's activations, maxValue descending." }),
    explanations: Type.Array(FeatureExplanation, { description: 'Explanations ordered scoreV2 desc, scoreV1 desc, with their scores.' }),
  },
  { additionalProperties: true, title: 'Feature' },
);

const Logit = Type.Object({ token: Type.String(), value: Type.Number() });

export const FeatureUploadBody = Type.Object({
  modelId: ModelId,
  source: SourceId,
  features: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
      density: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
      topLogits: Type.Optional(Type.Union([Type.Array(Logit, { maxItems: 20 }), Type.Null()])),
      bottomLogits: Type.Optional(Type.Union([Type.Array(Logit, { maxItems: 20 }), Type.Null()])),
      explanations: Type.Optional(
        Type.Array(
          Type.Object({
            text: Type.String({ minLength: 1, maxLength: 512 }),
            methodName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            modelName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          }),
        ),
      ),
      activations: Type.Array(
        Type.Object({
          tokens: Type.Array(Type.String(), { minItems: 1, maxItems: 1024 }),
          values: Type.Array(Type.Number(), { minItems: 1, maxItems: 1024 }),
          quantileMax: Type.Optional(Type.Union([Type.Number({ maximum: 99999999 }), Type.Null()])),
          quantileMin: Type.Optional(Type.Union([Type.Number({ maximum: 99999999 }), Type.Null()])),
          quantileFraction: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
        }),
        { minItems: 1 },
      ),
    }),
    { minItems: 1, maxItems: 128 },
  ),
});
