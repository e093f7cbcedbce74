// Request schemas of /api/admin/*.
import { Type } from 'typebox';

/** GET /api/admin/import */
export const ImportQuery = Type.Object({
  location: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Folder on the server, or HTTP(S) URL of a v1 export (e.g. an S3 bucket URL ending in `/v1/`). Default: IMPORT_DEFAULT_LOCATION (400 when neither is set).',
    }),
  ),
  modelId: Type.Optional(Type.String({ minLength: 1, description: 'Only this model.' })),
  sourceId: Type.Optional(Type.String({ minLength: 1, description: 'Only this source, e.g. `6-res-jb`.' })),
  explanations: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('only')], {
      description: 'Load explanations too (true, default), not (false), or only them (only).',
    }),
  ),
  // Text, checked by the route, so that a bad value gets upstream's message.
  explanationBatchStart: Type.Optional(
    Type.String({
      maxLength: 18,
      description: 'Skip explanation files batch-N with N below this (a non-negative integer), e.g. to resume a large source.',
    }),
  ),
  maxErrors: Type.Optional(Type.Integer({ minimum: 0, description: 'Stop after this many rejected records.' })),
});
