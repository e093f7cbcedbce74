// Request bodies of the upload routes, with the real server's limits.
import { Type } from 'typebox';
import { FeatureIndex, ModelId, SourceId } from './common.js';

const OptionalVisibility = Type.Optional(
  Type.Union([Type.Literal('PUBLIC'), Type.Literal('UNLISTED'), Type.Literal('PRIVATE')], {
    description: 'Who may read it (mirror extension). Default PRIVATE: only you and admins; neuronpedia.org makes uploads UNLISTED.',
  }),
);

export const NewModelBody = Type.Object({
  id: Type.String({
    minLength: 2,
    maxLength: 32,
    pattern: '^[a-z][a-z0-9.-]*[a-z0-9]$',
    description: 'Lowercase letters, digits, hyphens and periods; starts with a letter.',
  }),
  layers: Type.Integer({ minimum: 1, maximum: 127 }),
  // The Python client sends null for what it was not given.
  displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  url: Type.Optional(Type.Union([Type.String({ format: 'uri' }), Type.Null()])),
  dimension: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 24576,
      description: 'Residual stream width (mirror extension): vectors uploaded for this model must have this length.',
    }),
  ),
  visibility: OptionalVisibility,
});

export const NewSourceSetBody = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^([a-z][a-z0-9-]*[a-z0-9]|[a-z0-9])$',
    description: 'Lowercase letters, digits and hyphens.',
  }),
  modelId: ModelId,
  description: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  url: Type.Optional(Type.Union([Type.String({ format: 'uri' }), Type.Null()])),
  visibility: OptionalVisibility,
});

export const NewVectorBody = Type.Object({
  modelId: ModelId,
  layerNumber: Type.Integer({ minimum: 0 }),
  hookType: Type.Union([Type.Literal('hook_resid_pre'), Type.Literal('hook_resid_post')]),
  vector: Type.Array(Type.Number(), { maxItems: 24576 }),
  vectorDefaultSteerStrength: Type.Union([Type.Number({ minimum: -300, maximum: 300 }), Type.Null()], {
    description: 'Default steering strength, -300 to 300 (null: 10).',
  }),
  vectorLabel: Type.String(),
  visibility: OptionalVisibility,
});

export const FeatureRef = Type.Object({ modelId: ModelId, source: SourceId, index: FeatureIndex });

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

export const MessageResponse = Type.Object({ message: Type.String() }, { additionalProperties: true });
