import { Type } from 'typebox';
import { DateTime, ModelId, Nullable, StringArray, Visibility } from './common.js';
import { ModelRow, SourceRow, SourceSetRow } from './rows.js';

export const SourceSetParams = Type.Object({
  modelId: ModelId,
  name: Type.String({ minLength: 1, maxLength: 256, description: 'Source set name, e.g. `res-jb`.' }),
});

export const SourceReleaseRow = Type.Object(
  {
    name: Type.String(),
    visibility: Visibility,
    isNewUi: Type.Boolean(),
    featured: Type.Boolean(),
    description: Type.String(),
    descriptionShort: Nullable(Type.String()),
    urls: StringArray,
    creatorEmail: Nullable(Type.String()),
    creatorName: Type.String(),
    creatorNameShort: Nullable(Type.String()),
    creatorId: Type.String(),
    defaultSourceSetName: Nullable(Type.String()),
    defaultSourceId: Nullable(Type.String()),
    defaultUmapSourceIds: StringArray,
    createdAt: DateTime,
  },
  { additionalProperties: true, title: 'SourceRelease' },
);

export const SourceSetResponse = Type.Intersect(
  [SourceSetRow, Type.Object({ sources: Type.Array(SourceRow), releases: Nullable(SourceReleaseRow), model: ModelRow })],
  { title: 'SourceSetWithSources' },
);
