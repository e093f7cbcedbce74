// Request and response schemas of /api/model/*.
import { Type } from 'typebox';
import { OptionalVisibility } from './common.js';

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

const open = { additionalProperties: true } as const;
const ModelWithSets = Type.Object({ id: Type.String(), sourceSets: Type.Array(Type.Object({ name: Type.String() }, open)) }, open);

/** POST /api/model/list */
export const ModelListResponse = Type.Array(ModelWithSets);
/** POST /api/model/get */
export const ModelGetBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export const ModelGetResponse = ModelWithSets;
/** POST /api/global */
export const GlobalResponse = Type.Object(
  {
    models: Type.Array(ModelWithSets),
    explanationTypes: Type.Array(Type.Object({ name: Type.String() }, open)),
    explanationModels: Type.Array(Type.Object({ name: Type.String() }, open)),
    releases: Type.Array(Type.Object({ name: Type.String() }, open)),
    explanationScoreTypes: Type.Array(Type.Object({ name: Type.String() }, open)),
    explanationScoreModelTypes: Type.Array(Type.Object({ name: Type.String() }, open)),
  },
  open,
);

/** Upstream takes layer and head as numbers or numeric strings. */
const IntLike = Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.String({ pattern: '^[0-9]{1,6}$' })]);
/** POST /api/model/head-metrics/list */
export const HeadMetricsListBody = Type.Object({ modelId: Type.String({ minLength: 1, maxLength: 128 }) });
/** POST /api/model/head-metrics/get and /api/model/head-sequences/get */
export const HeadBody = Type.Object({ modelId: Type.String({ minLength: 1, maxLength: 128 }), layer: IntLike, headIndex: IntLike });
/** POST /api/model/head-attention/get */
export const HeadAttentionBody = Type.Object({
  modelId: Type.String({ minLength: 1, maxLength: 128 }),
  layer: IntLike,
  headIndex: IntLike,
  text: Type.String({ minLength: 1, maxLength: 65_536 }),
});
/** A HeadSequenceData-shaped answer (upstream's route), so the stored-sequence viewer renders it. */
export const HeadAttentionResponse = Type.Object({
  id: Type.String(),
  layer: Type.Integer(),
  headIndex: Type.Integer(),
  interval: Type.Integer(),
  tokens: Type.Array(Type.String()),
  attentionIndices: Type.Array(Type.Integer()),
  attentionValues: Type.Array(Type.Number()),
  maxActivation: Type.Number(),
});
export const HeadRows = Type.Array(Type.Object({ layer: Type.Integer(), headIndex: Type.Integer() }, open));
