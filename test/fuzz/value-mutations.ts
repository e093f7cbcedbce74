// Mutations of one value in a body: strings, numbers, booleans, objects and arrays broken one way at
// a time, each with why the answer must be a refusal when it must.
import type { MustReject, Schema } from './case-types.js';
import { encodeJson, RAW_BYTES } from './json-text.js';

type Json = unknown;
type Tag = string | number;

// ---------------------------------------------------------------------------------------------
// Mutations of one value

export type Mutation = [name: string, json: string, reject?: MustReject];

export const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);

const STRING_MUTATIONS: Mutation[] = [
  ['nul', '"cat\\u0000dog"', 'nul'],
  ['nul-only', '"\\u0000"', 'nul'],
  ['lone-high-surrogate', '"\\ud800"', 'surrogate'],
  ['lone-low-surrogate', '"cat\\udfff"', 'surrogate'],
  ['reversed-surrogates', '"\\udc00\\ud800"', 'surrogate'],
  // As bytes: a surrogate encoded in UTF-8, and bytes that are no UTF-8 at all. Decoding them
  // silently (to U+FFFD) would store something the client did not send; Postgres refuses both.
  ['utf8-surrogate-bytes', `"cat${RAW_BYTES.surrogate}"`, 'surrogate'],
  ['invalid-utf8-bytes', `"cat${RAW_BYTES.invalid}"`, 'invalid-utf8'],
  ['digits-18', '"999999999999999999"'],
  ['long', JSON.stringify('x'.repeat(70_000))],
  ['empty', '""'],
  ['whitespace', '" \\t\\n "'],
  ['non-ascii', JSON.stringify('猫 🐱 é \u202e')],
  ['null', 'null'],
  ['boolean', 'true'],
  ['number', '12'],
  ['object', '{}'],
  ['array', '["a"]'],
];

const NUMBER_MUTATIONS: Mutation[] = [
  ['1e999', '1e999', 'non-finite'],
  ['-1e999', '-1e999', 'non-finite'],
  ['1e308', '1e308'],
  ['-0', '-0'],
  ['2^53+1', '9007199254740993'],
  ['negative', '-1'],
  ['fraction', '0.5'],
  ['underflow', '1e-400'],
  ['string', '"1"'],
  ['null', 'null'],
  ['boolean', 'true'],
  ['array', '[1]'],
  ['object', '{}'],
];

const BOOLEAN_MUTATIONS: Mutation[] = [
  ['string', '"true"'],
  ['number', '1'],
  ['null', 'null'],
];

const OBJECT_MUTATIONS: Mutation[] = [
  ['array', '[]'],
  ['null', 'null'],
  ['string', '"x"'],
  ['empty', '{}'],
  ['proto-key', '{"__proto__":{"polluted":1}}'],
  ['constructor-key', '{"constructor":{"prototype":{"polluted":1}}}'],
];

function arrayMutations(schema: Schema, item: Json): Mutation[] {
  // One past the limit where there is one; otherwise enough to be a large batch but stay fast.
  const count = Math.min(schema.maxItems !== undefined ? schema.maxItems + 1 : 2000, 30_000);
  const itemText = encodeJson(item);
  return [
    ['empty', '[]'],
    ['oversized', `[${Array.from({ length: count }, () => itemText).join(',')}]`],
    ['deep-nesting', DEEP_ARRAY],
    ['null', 'null'],
    ['object', '{}'],
    ['string', '"x"'],
    ['null-item', '[null]'],
  ];
}

interface Leaf {
  path: Tag[];
  kind: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
  schema: Schema;
  value: Json;
}

function kindOf(value: Json): Leaf['kind'] {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as Leaf['kind'];
}

/** The branch of a union that `value` was sampled from. */
function branchFor(schema: Schema, value: Json): Schema {
  if (!schema.anyOf) return schema;
  const kind = kindOf(value);
  return schema.anyOf.find((branch) => branch.type === kind || (kind === 'number' && branch.type === 'integer')) ?? schema.anyOf[0]!;
}

/** Every value in the body, with its schema; arrays are entered through their first item only. */
export function leaves(value: Json, schema: Schema, path: Tag[] = []): Leaf[] {
  const resolved = branchFor(schema, value);
  const kind = kindOf(value);
  const here: Leaf[] = path.length > 0 ? [{ path, kind, schema: resolved, value }] : [];
  if (kind === 'array' && (value as Json[]).length > 0)
    return [...here, ...leaves((value as Json[])[0], resolved.items ?? {}, [...path, 0])];
  if (kind === 'object') {
    const inner = Object.entries(value as Record<string, Json>).flatMap(([key, item]) =>
      leaves(item, resolved.properties?.[key] ?? {}, [...path, key]),
    );
    return [...here, ...inner];
  }
  return here;
}

export function mutationsFor(leaf: Leaf): Mutation[] {
  switch (leaf.kind) {
    case 'string':
      return STRING_MUTATIONS;
    case 'number':
      return NUMBER_MUTATIONS;
    case 'boolean':
      return BOOLEAN_MUTATIONS;
    case 'object':
      return OBJECT_MUTATIONS;
    case 'array':
      return arrayMutations(leaf.schema, (leaf.value as Json[])[0] ?? null);
    default:
      return [['string', '"x"']];
  }
}

/** The property a message should name for a value at `path` (the last non-index step). */
export function fieldName(path: Tag[]): string {
  return String([...path].reverse().find((step) => typeof step === 'string') ?? '');
}
