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
