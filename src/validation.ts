// Request validation. Bodies are validated strictly (a string where a number belongs is a 400, never
// silently converted); URL parameters and query strings are text by nature and are coerced.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: false, strict: false });
  addFormats(ajv);
  return ajv;
}

const strictAjv = makeAjv(false);
const coercingAjv = makeAjv('array');

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;

/** Shared schemas (referenced by $id) must be known to both validators. */
export function addSharedSchema(schema: { $id: string }): void {
  for (const ajv of [strictAjv, coercingAjv]) if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
}

/** `body/features/0/index must be ...`: names the field, from the request part down. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0] as (FastifySchemaValidationError & Partial<ErrorObject>) | undefined;
  if (!first) return new Error(`${dataVar} is invalid`);
  const field = `${dataVar}${first.instancePath ?? ''}`;
  let message = first.message ?? 'is invalid';
  if (first.keyword === 'required' && first.params && 'missingProperty' in first.params) {
    return new Error(`${field}/${String(first.params.missingProperty)} is required`);
  }
  if (first.keyword === 'anyOf' || first.keyword === 'oneOf') {
    const description = (first.parentSchema as { description?: string } | undefined)?.description;
    message = description ? `is invalid: expected ${description.replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase())}` : 'does not match any allowed type';
  }
  return new Error(`${field} ${message}`);
}

/** A strict validator for data that does not arrive as a whole JSON body (e.g. NDJSON lines). */
export function compileStrictValidator(schema: object) {
  return strictAjv.compile(schema);
}
