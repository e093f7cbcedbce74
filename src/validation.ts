// Request validation. Bodies are validated strictly (a string where a number belongs is a 400, never
// silently converted); URL parameters and query strings are text by nature and are coerced.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { compileOnFirstCall } from './compile-on-first-call.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  // strictNumbers: `1e999` parses as Infinity, which Postgres would store and every JSON read would then fail on.
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: false, strict: false, strictNumbers: true });
  addFormats(ajv);
  return ajv;
}

const strictAjv = makeAjv(false);
const coercingAjv = makeAjv('array');

/** Compiled on the route's first request, not at start (compile-on-first-call.ts). */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  compileOnFirstCall(() => (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object)) as ReturnType<
    FastifySchemaCompiler<unknown>
  >;

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
  if (first.keyword === 'type' && /number|integer/.test(String((first.params as { type?: unknown } | undefined)?.type))) {
    message = `${message} (finite: 1e999 and the like are refused)`;
  }
  if (first.keyword === 'anyOf' || first.keyword === 'oneOf') {
    const description = (first.parentSchema as { description?: string } | undefined)?.description;
    message = description
      ? `is invalid: expected ${description.replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase())}`
      : 'does not match any allowed type';
  }
  return new Error(`${field} ${message}`);
}

/** A strict validator for data that does not arrive as a whole JSON body (e.g. NDJSON lines). */
export function compileStrictValidator(schema: object) {
  return strictAjv.compile(schema);
}

/** NUL cannot be stored in Postgres text; a lone UTF-16 surrogate has no UTF-8 form (drivers would silently store U+FFFD). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE_TEXT = /[\u0000\p{Cs}]/u;

/**
 * Where the first string (or object key) that no database can store hides in `value`, as
 * `root/a/0/b`; undefined when there is none. Iterative, so deeply nested input cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, root: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (UNSTORABLE_TEXT.test(current)) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}/${i}`]);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (UNSTORABLE_TEXT.test(key)) return `${path}/${key.replace(UNSTORABLE_TEXT, '?')}`;
        stack.push([child, `${path}/${key}`]);
      }
    }
  }
  return undefined;
}

export const UNSTORABLE_TEXT_MESSAGE = 'contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored';
