// Request and response schemas of /api/vector/* (and the docs page's /api/upload/vector).
import { Type } from 'typebox';
import { DateTime, FeatureIndex, FloatArray, ModelId, Nullable, OptionalVisibility, SourceId } from './common.js';

/** POST /api/vector/new */
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

export const NewVectorResponse = Type.Object({
  message: Type.String(),
  url: Type.String(),
  vector: Type.Object({
    modelId: Type.String(),
    source: Type.String(),
    index: Type.String(),
    label: Nullable(Type.String()),
    createdAt: DateTime,
    defaultSteerStrength: Nullable(Type.Number()),
    hookName: Nullable(Type.String()),
    values: FloatArray,
  }),
});

/** POST /api/vector/get and /api/vector/delete */
export const FeatureRef = Type.Object({ modelId: ModelId, source: SourceId, index: FeatureIndex });

/** A vector as /api/vector/get and /api/vector/list-owned answer it. */
export const StoredVector = Type.Object({
  modelId: Type.String(),
  layer: Type.String(),
  index: Type.String(),
  vectorLabel: Nullable(Type.String()),
  createdAt: Type.Optional(DateTime),
  creatorId: Type.Optional(Nullable(Type.String())),
  vectorDefaultSteerStrength: Nullable(Type.Number()),
  hookName: Nullable(Type.String()),
  vector: FloatArray,
});
export const GetVectorResponse = Type.Object({ vector: StoredVector });

/** POST /api/vector/list-owned */
export const ListOwnedVectorsResponse = Type.Object({ vectors: Type.Array(StoredVector) });
