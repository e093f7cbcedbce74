// Building blocks shared by the route schemas. These schemas validate requests, serialize responses
// and generate openapi.json: one source of truth.
import { Type, type TSchema } from 'typebox';
import { ERROR_CODE_LIST } from '../errors.js';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Dates leave the database as Date objects; the serializer writes them as ISO 8601, as Prisma does. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const Visibility = Type.Union([Type.Literal('PUBLIC'), Type.Literal('UNLISTED'), Type.Literal('PRIVATE')]);
export const FloatArray = Type.Array(Type.Number());
export const IntArray = Type.Array(Type.Integer());
export const StringArray = Type.Array(Type.String());

/** Longest text the inference routes accept in one string. */
export const MAX_TEXT_CHARS = 65_536;

/** `visibility` of what a user uploads. */
export const OptionalVisibility = Type.Optional(
  Type.Union([Type.Literal('PUBLIC'), Type.Literal('UNLISTED'), Type.Literal('PRIVATE')], {
    description: 'Who may read it (mirror extension). Default PRIVATE: only you and admins; neuronpedia.org makes uploads UNLISTED.',
  }),
);

export const MessageResponse = Type.Object({ message: Type.String() }, { additionalProperties: true });

export const ModelId = Type.String({ minLength: 1, maxLength: 128, description: 'Model id, e.g. `gpt2-small`.' });
export const SourceId = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'Source id (the "layer" in feature URLs), e.g. `6-res-jb`.',
});

/** Feature indexes are stored as strings; clients send numbers or numeric strings (`650` or `"650"`). */
export const FeatureIndex = Type.Union(
  [Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^[0-9]{1,18}$' })],
  {
    description: 'Feature index: a non-negative integer, or the same as a string of digits.',
  },
);
/** In a URL the index is always text; only digits are accepted. */
export const FeatureIndexParam = Type.String({ pattern: '^[0-9]{1,18}$', description: 'Feature index (digits only), e.g. `650`.' });

/** `"0650"`, `650` and `"650"` all name feature `"650"`. */
export function normalizeIndex(index: number | string): string {
  return typeof index === 'number' ? String(index) : BigInt(index).toString();
}

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Human-readable message (the real server reads this key).' }),
    message: Type.String({ description: 'The same message (other real-server routes use this key).' }),
    code: Type.Union(
      ERROR_CODE_LIST.map((code) => Type.Literal(code)),
      { description: 'Stable machine-readable error code.' },
    ),
  },
  { additionalProperties: true, $id: 'ErrorResponse', title: 'Error' },
);

const ref = Type.Ref('ErrorResponse');

/** Standard error responses every route documents, plus the ones a route adds. */
export function errorResponses(...statuses: number[]) {
  const all = new Set([400, 500, ...statuses]);
  return Object.fromEntries([...all].sort().map((status) => [status, ref]));
}

/** OpenAPI security of routes that need an API key (either header). */
export const KEY_REQUIRED: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

/** OpenAPI security of routes where a key is optional (anonymous callers see public data). */
export const KEY_OPTIONAL: Array<Record<string, string[]>> = [{}, { apiKey: [] }, { bearer: [] }];
