// Request and response schemas of /api/features-offset, /api/umap, /api/cossim and /api/steer/presets.
import { Type } from 'typebox';
import { FeatureIndex, ModelId, SourceId } from './common.js';

const open = { additionalProperties: true } as const;

/** POST /api/features-offset */
export const FeaturesOffsetBody = Type.Object({
  modelId: ModelId,
  layer: SourceId,
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Features to skip (pages of 25).' })),
});
export const FeaturesOffsetResponse = Type.Array(Type.Object({ modelId: Type.String(), layer: Type.String(), index: Type.String() }, open));

/** POST /api/umap */
export const UmapBody = Type.Object({ modelId: ModelId, layers: Type.Array(SourceId, { minItems: 1, maxItems: 64 }) });
export const UmapResponse = Type.Record(
  Type.String(),
  Type.Array(
    Type.Object(
      {
        id: Type.String(),
        layer: Type.String(),
        index: Type.String(),
        description: Type.String(),
        umap_cluster: Type.Union([Type.Integer(), Type.Null()]),
        umap_x: Type.Union([Type.Number(), Type.Null()]),
        umap_y: Type.Union([Type.Number(), Type.Null()]),
        umap_log_feature_sparsity: Type.Union([Type.Number(), Type.Null()]),
      },
      open,
    ),
  ),
);

/** POST /api/steer/presets */
export const SteerPresetsBody = Type.Object({ modelId: ModelId });
export const SteerPresetsResponse = Type.Object(
  {
    model: Type.Object({ id: Type.String() }, open),
    defaultPrompt: Type.String(),
    promptPresets: Type.Optional(Type.Array(Type.Object({ name: Type.String(), prompt: Type.String() }, open))),
    featurePresets: Type.Array(Type.Object({ name: Type.String(), features: Type.Array(Type.Unknown()) }, open)),
    defaultSelectedFeatures: Type.Optional(Type.Array(Type.Unknown())),
  },
  open,
);

/** POST /api/cossim (upstream's yup schema: all required; index a number or numeric string). */
export const CossimBody = Type.Object({
  modelId: ModelId,
  source: SourceId,
  index: FeatureIndex,
  targetModelId: ModelId,
  targetSourceId: SourceId,
});
const NPFeature = Type.Object({ model: Type.String(), source: Type.String(), index: Type.Integer() }, open);
/** The inference server's UtilSaeTopkByDecoderCossimResponse. */
export const CossimResponse = Type.Object(
  {
    feature: Type.Optional(Type.Union([NPFeature, Type.Null()])),
    topkDecoderCossimFeatures: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object(
            {
              feature: Type.Optional(Type.Union([NPFeature, Type.Null()])),
              cosineSimilarity: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            },
            open,
          ),
        ),
        Type.Null(),
      ]),
    ),
  },
  open,
);
