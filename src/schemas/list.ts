// Request and response schemas of /api/list/*.
import { Type } from 'typebox';
import { FeatureIndex, ModelId, SourceId } from './common.js';

const open = { additionalProperties: true } as const;

export const ListId = Type.String({ minLength: 1, maxLength: 64 });
export const ListRow = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), userId: Type.String() }, open);

/** POST /api/list/list */
export const ListRows = Type.Array(ListRow);

/** POST /api/list/new */
export const NewListBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  description: Type.Optional(Type.String({ maxLength: 4096 })),
  testText: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
});

/** POST /api/list/add-features */
export const AddFeaturesBody = Type.Object({
  listId: ListId,
  featuresToAdd: Type.Array(
    Type.Object({
      modelId: ModelId,
      layer: SourceId,
      index: FeatureIndex,
      description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
    { minItems: 1, maxItems: 100 },
  ),
});
export const AddFeaturesResponse = Type.Array(
  Type.Object({ modelId: Type.String(), layer: Type.String(), index: Type.String(), listId: Type.String() }, open),
);

/** POST /api/list/get and /api/list/delete: the list's id. */
export const ListIdBody = Type.Object({ listId: ListId });
export const DeleteListResponse = Type.Boolean();
export const GetListResponse = Type.Object({ id: Type.String(), neurons: Type.Array(Type.Unknown()) }, open);

/** POST /api/list/remove */
export const RemoveFromListBody = Type.Object({ listId: ListId, modelId: ModelId, layer: SourceId, index: FeatureIndex });
export const RemoveFromListResponse = Type.Object({ listId: Type.String() }, open);

/** POST /api/list/new-with-features (SAELens sends `description: null` when it has none). */
export const NewListWithFeaturesBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
  testText: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()])),
  features: Type.Optional(
    Type.Array(
      Type.Object({
        modelId: ModelId,
        layer: SourceId,
        index: FeatureIndex,
        description: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
      }),
      { maxItems: 1000 },
    ),
  ),
});
export const NewListWithFeaturesResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    url: Type.String({ description: "The list's page on this mirror." }),
    skippedFeatures: Type.Array(Type.Object({ modelId: Type.String(), layer: Type.String(), index: Type.String() }), {
      description: 'Mirror extension: features left out because they do not exist or you may not read them (upstream skips them silently).',
    }),
  },
  open,
);

/** POST /api/list/update */
export const UpdateListBody = Type.Object({
  listId: ListId,
  name: Type.String({ minLength: 1, maxLength: 256 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
  defaultTestText: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
});

/** POST /api/list/edit-feature */
export const EditListFeatureBody = Type.Object({
  listId: ListId,
  modelId: ModelId,
  layer: SourceId,
  index: FeatureIndex,
  description: Type.String({ maxLength: 4096 }),
});
export const ListItemRow = Type.Object(
  {
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    listId: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
  },
  open,
);
