// Request and response schemas of /api/source-set/*.
import { Type } from 'typebox';
import { DateTime, ModelId, Nullable, OptionalVisibility, StringArray, Visibility } from './common.js';
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
