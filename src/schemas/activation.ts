// Request and response schemas of /api/activation/*.
import { Type } from 'typebox';
import { FeatureIndex, MAX_TEXT_CHARS, ModelId, SourceId } from './common.js';
import { FeatureActivation } from './feature.js';

/** POST /api/activation/get */
export const GetActivationsBody = Type.Object({ modelId: ModelId, source: SourceId, index: FeatureIndex });
export const GetActivationsResponse = Type.Array(FeatureActivation);

const NewActivationFeature = Type.Object({
  modelId: ModelId,
  source: Type.Optional(SourceId),
  layer: Type.Optional(SourceId),
  index: FeatureIndex,
});

const Activation = Type.Object(
  {
    tokens: Type.Array(Type.String()),
    values: Type.Array(Type.Number()),
    maxValue: Type.Number(),
    minValue: Type.Number(),
    maxValueTokenIndex: Type.Integer(),
  },
  { additionalProperties: true },
);

/** POST /api/activation/new */
export const NewActivationBody = Type.Object({
  feature: Type.Optional(NewActivationFeature),
  neuron: Type.Optional(NewActivationFeature),
  customText: Type.Optional(
    Type.Union([
      Type.String({ maxLength: MAX_TEXT_CHARS }),
      Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { minItems: 1, maxItems: 64 }),
    ]),
  ),
  ignoreBos: Type.Optional(Type.Boolean({ default: false })),
});
export const NewActivationResponse = Type.Union([Activation, Type.Array(Activation)]);

/** POST /api/activation/source */
export const SourceActivationsBody = Type.Object({
  modelId: ModelId,
  source: SourceId,
  customText: Type.Union([
    Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS }),
    Type.Array(Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS }), { minItems: 1, maxItems: 4 }),
  ]),
});
export const SourceActivationsResponse = Type.Object({
  results: Type.Array(Type.Object({ tokens: Type.Array(Type.String()) }, { additionalProperties: true })),
});

/** POST /api/activation/upload-batch */
export const ActivationUploadBody = Type.Object({
  modelId: ModelId,
  source: SourceId,
  index: FeatureIndex,
  activations: Type.Array(
    Type.Object({
      tokens: Type.Array(Type.String(), { minItems: 1, maxItems: 1024 }),
      values: Type.Array(Type.Number(), { maxItems: 1024 }),
    }),
    { minItems: 1, maxItems: 1024 },
  ),
});
