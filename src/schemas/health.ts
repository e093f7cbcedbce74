// Response schema of GET /health.
import { Type } from 'typebox';

export const HealthResponse = Type.Object({
  status: Type.Literal('healthy'),
  database: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
});
