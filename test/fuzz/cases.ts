// Requests generated from the served OpenAPI document: for every operation, a valid-ish baseline
// built from its schemas (with the seeded data's real ids, so requests reach the handlers and the
// database), then that baseline with one thing broken at a time: a field's value, a path or query
// parameter, the body as a whole, its content type, or an auth header.
import { gzipSync } from 'node:zlib';
import { encodeJson, OMIT, prng, Raw, RAW_BYTES, replaceAt, toWire } from './json-text.js';

export interface Schema {
  type?: string;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  security?: Array<Record<string, unknown>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** What the seeded database holds, so baselines name things that exist and the caller owns. */
export interface Fixtures {
  userKey: string;
  adminKey: string;
  /** Public model and source the user created (uploads go there). */
  ownModel: string;
  ownSource: string;
  vector: { modelId: string; source: string; index: string };
  spareVector: { modelId: string; source: string; index: string };
  listId: string;
  spareListId: string;
  explanationId: string;
}

/** Why an answer must be a refusal, whatever else the route does with the value. */
export type MustReject = 'nul' | 'surrogate' | 'invalid-utf8' | 'non-finite';

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzCase {
  /** "POST /api/list/add-features", as the document names it. */
  route: string;
  /** What was broken and how, e.g. "string:nul". */
  mutation: string;
  /** Where: a JSON pointer into the body, `path:index`, `query:location`, `body`, `header:x-api-key`. */
  target: string;
  auth: 'user' | 'anon' | 'admin' | 'custom';
  request: FuzzRequest;
  mustReject?: MustReject;
  /** A 400 for this case must name this field (non-finite numbers at a write). */
  field?: string;
}

/** The seeded feature every baseline reads (test/fixtures/seed.ts). */
export const SEEDED = { modelId: 'gpt2-small', layer: '6-res-jb', setName: 'res-jb', release: 'gpt2-small-res-jb', index: 0 } as const;

type Json = unknown;
type Tag = string | number;

// ---------------------------------------------------------------------------------------------
// Baselines

/** Plausible values by property name; anything unnamed is sampled from its schema. */
function hint(name: string): Json | undefined {
  switch (name) {
    case 'modelId':
    case 'model':
      return SEEDED.modelId;
    case 'layer':
    case 'source':
      return SEEDED.layer;
    case 'sourceSet':
    case 'sae_set':
      return SEEDED.setName;
    case 'selectedLayers':
    case 'layers':
      return [SEEDED.layer];
    case 'index':
      return SEEDED.index;
    case 'query':
      return 'cats and dogs';
    case 'text':
    case 'customText':
    case 'prompt':
    case 'content':
      return 'The cat sat on the mat';
    case 'url':
      return 'https://example.test/fuzz';
    case 'releaseName':
      return SEEDED.release;
    case 'explanationModelName':
    case 'scorerModel':
      return 'gpt-4o-mini';
    case 'explanationType':
      return 'eleuther_acts_top20';
    case 'scorerType':
      return 'eleuther_fuzz';
    default:
      return undefined;
  }
}

function clamp(value: number, schema: Schema): number {
  return Math.min(Math.max(value, schema.minimum ?? -Infinity), schema.maximum ?? Infinity);
}

/** A value for `schema`: every property, named ones from `hint`, the first branch of a union. */
export function sample(schema: Schema, name = ''): Json {
  const named = hint(name);
  if (named !== undefined) return named;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((branch) => branch.type !== 'null') ?? schema.anyOf[0]!, name);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, sample(property, key)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items ?? {}, name));
    case 'string':
      return schema.format === 'uri' ? 'https://example.test/fuzz' : 'fuzz';
    case 'integer':
      return clamp(1, schema);
    case 'number':
      return clamp(0.5, schema);
    case 'boolean':
      return false;
    default:
      return 'fuzz';
  }
}

/**
 * Route-specific values that a schema cannot know: things the caller owns, and a fresh index or
 * name for every write so that each request creates something (the routes leave existing features
 * and names unchanged). `n` is unique per request.
 */
function overrides(path: string, f: Fixtures, n: number): Record<string, Json> | Json[] | undefined {
  const feature = {
    index: 1000 + n,
    density: 0.01,
    topLogits: [{ token: 'Ġcat', value: 1.5 }],
    bottomLogits: [{ token: 'Ġdog', value: -1.5 }],
    explanations: [{ text: 'cats', methodName: 'np_max-act-logits', modelName: 'gpt-4o-mini' }],
    activations: [{ tokens: ['a', 'b'], values: [0.5, 1], quantileMax: 1, quantileMin: 0, quantileFraction: 0.5 }],
  };
  const vector = {
    modelId: f.ownModel,
    layerNumber: 0,
    hookType: 'hook_resid_pre',
    vector: [0.1, 0.2, 0.3, 0.4],
    vectorDefaultSteerStrength: 10,
    vectorLabel: 'fuzz',
    visibility: 'PUBLIC',
  };
  const steerFeature = { modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, strength: 10 };
  switch (path) {
    case '/api/features':
      return [{ modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, maxActsToReturn: 2 }];
    case '/api/model/new':
      return { id: `fz-m${n}`, layers: 2, displayName: 'Fuzz', dimension: 4, visibility: 'PUBLIC' };
    case '/api/source-set/new':
      return { name: `fzs${n}`, modelId: f.ownModel, description: 'fuzz', visibility: 'PUBLIC' };
    case '/api/vector/new':
    case '/api/upload/vector':
      return vector;
    case '/api/vector/get':
      return f.vector;
    case '/api/vector/delete':
      return f.spareVector;
    case '/api/feature/upload-batch':
    case '/api/upload/dashboard':
      return { modelId: f.ownModel, source: f.ownSource, features: [feature] };
    case '/api/activation/upload-batch':
      return { ...f.vector, activations: [{ tokens: ['a', 'b'], values: [0.5, 1] }] };
    case '/api/list/new':
      return { name: 'fuzz list', description: 'fuzz', testText: 'The cat' };
    case '/api/list/add-features':
      return {
        listId: f.listId,
        featuresToAdd: [{ modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, description: 'fuzz' }],
      };
    case '/api/list/get':
      return { listId: f.listId };
    case '/api/list/remove':
      return { listId: f.listId, modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index };
    case '/api/list/delete':
      return { listId: f.spareListId };
    case '/api/explanation/score':
    case '/api/score-type/eleuther_fuzz':
    case '/api/score-type/eleuther_recall':
    case '/api/score-type/eleuther_embedding':
      return { explanationId: f.explanationId };
    case '/api/activation/new':
      return {
        feature: { modelId: SEEDED.modelId, source: SEEDED.layer, index: SEEDED.index },
        neuron: OMIT,
        customText: 'The cat sat',
        ignoreBos: false,
      };
    case '/api/steer':
      return { features: [steerFeature], n_tokens: 8, temperature: 0.5, seed: 42, strength_multiplier: 1 };
    case '/api/steer-chat':
      return {
        defaultChatMessages: [{ role: 'user', content: 'hi' }],
        steeredChatMessages: [{ role: 'user', content: 'hi' }],
        features: [steerFeature],
        n_tokens: 8,
        steer_special_tokens: false,
        temperature: 0.5,
        seed: 42,
        strength_multiplier: 1,
      };
    case '/api/steer-load':
      return { steerOutputId: 'no-such-steer-output' };
    case '/api/test':
      return { apiKey: f.userKey };
    case '/api/list/update':
      return { listId: f.listId, name: 'fuzz list', description: 'fuzz' };
    case '/api/list/edit-feature':
      return { listId: f.listId, modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, description: 'fuzz' };
    case '/api/model/get':
      return { id: SEEDED.modelId };
    case '/api/model/head-metrics/get':
    case '/api/model/head-sequences/get':
      return { modelId: SEEDED.modelId, layer: 0, headIndex: 0 };
    case '/api/model/head-attention/get':
      return { modelId: SEEDED.modelId, layer: 0, headIndex: 0, text: 'The cat sat' };
    case '/api/graph/signed-put':
      return { filename: 'fuzz-graph.json', contentLength: 4096 };
    case '/api/graph/subgraph/save':
      // A new subgraph (no overwriteId) of a graph the fixtures do not hold: the graph lookup's 404.
      return { overwriteId: OMIT };
    default:
      return undefined;
  }
}

export function baselineBody(path: string, schema: Schema, f: Fixtures, n: number): Json {
  const sampled = sample(schema);
  const patch = overrides(path, f, n);
  if (Array.isArray(patch) || patch === undefined) return patch ?? sampled;
  const merged: Record<string, Json> = { ...(sampled as Record<string, Json>), ...patch };
  for (const [key, value] of Object.entries(merged)) if (value === OMIT) delete merged[key];
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Mutations of one value

type Mutation = [name: string, json: string, reject?: MustReject];

const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);

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

function mutationsFor(leaf: Leaf): Mutation[] {
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
function fieldName(path: Tag[]): string {
  return String([...path].reverse().find((step) => typeof step === 'string') ?? '');
}

// ---------------------------------------------------------------------------------------------
// Whole bodies, content types, parameters and headers

const JSON_TYPE = 'application/json';
/** 8 MiB of JSON in about 8 KB: over any body limit once inflated. */
const GZIP_BOMB = gzipSync(`{"a":"${'x'.repeat(8 * 1024 * 1024)}"}`);

function bodyMutations(
  baseline: string,
): Array<[name: string, payload: string | Buffer, contentType: string | undefined, encoding?: string]> {
  const firstString = /"([^"\\]*)"\s*:\s*"[^"\\]*"/.exec(baseline);
  const withBytes = (bytes: number[]) =>
    firstString
      ? Buffer.concat([
          Buffer.from(baseline.slice(0, firstString.index + firstString[0].length - 1)),
          Buffer.from(bytes),
          Buffer.from(baseline.slice(firstString.index + firstString[0].length - 1)),
        ])
      : Buffer.from(baseline);
  const bodyIsObject = baseline.startsWith('{');
  return [
    ['json:null', 'null', JSON_TYPE],
    ['json:array', '[]', JSON_TYPE],
    ['json:number', '0', JSON_TYPE],
    ['json:huge-number', '1e999', JSON_TYPE],
    ['json:string', '"x"', JSON_TYPE],
    ['json:boolean', 'true', JSON_TYPE],
    ['json:empty-object', '{}', JSON_TYPE],
    ['json:truncated', baseline.slice(0, Math.max(1, baseline.length - 1)), JSON_TYPE],
    ['json:not-json', 'hello', JSON_TYPE],
    ['json:trailing-garbage', `${baseline}x`, JSON_TYPE],
    ['json:empty', '', JSON_TYPE],
    ['json:bom', `\ufeff${baseline}`, JSON_TYPE],
    ['json:raw-nul-byte', withBytes([0]), JSON_TYPE],
    ['json:invalid-utf8', withBytes([0xff, 0xfe]), JSON_TYPE],
    ['json:cesu-surrogate-bytes', withBytes([0xed, 0xa0, 0x80]), JSON_TYPE],
    ['json:deep-arrays-10k', DEEP_ARRAY, JSON_TYPE],
    ['json:deep-arrays-100k', '['.repeat(100_000) + ']'.repeat(100_000), JSON_TYPE],
    ['json:deep-objects-10k', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), JSON_TYPE],
    ...(bodyIsObject
      ? ([
          ['json:proto-key', `{"__proto__":{"polluted":1},${baseline.slice(1)}`, JSON_TYPE],
          ['json:nul-key', `{"\\u0000":1,${baseline.slice(1)}`, JSON_TYPE],
          ['json:surrogate-key', `{"\\ud800":1,${baseline.slice(1)}`, JSON_TYPE],
        ] as Array<[string, string, string]>)
      : []),
    ['ct:text/plain', baseline, 'text/plain'],
    ['ct:form', 'a=b&modelId=%00', 'application/x-www-form-urlencoded'],
    ['ct:multipart', '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--XyZ--\r\n', 'multipart/form-data; boundary=XyZ'],
    ['ct:utf-16', Buffer.from(baseline, 'utf16le'), 'application/json; charset=utf-16'],
    ['ct:missing', baseline, undefined],
    ['ct:ndjson', baseline, 'application/x-ndjson'],
    ['ct:uppercase', baseline, 'APPLICATION/JSON'],
    ['ct:malformed', baseline, 'application/json;;;=='],
    ['ct:vendor-json', baseline, 'application/vnd.api+json'],
    ['ct:octet-stream', baseline, 'application/octet-stream'],
    ['ce:gzip', gzipSync(baseline), JSON_TYPE, 'gzip'],
    ['ce:gzip-not-gzip', baseline, JSON_TYPE, 'gzip'],
    ['ce:gzip-truncated', gzipSync(baseline).subarray(0, 12), JSON_TYPE, 'gzip'],
    ['ce:gzip-bomb', GZIP_BOMB, JSON_TYPE, 'gzip'],
    ['ce:deflate-not-deflate', baseline, JSON_TYPE, 'deflate'],
    ['ce:unknown', baseline, JSON_TYPE, 'compress'],
    ['ce:double-gzip-once', gzipSync(baseline), JSON_TYPE, 'gzip, gzip'],
  ];
}

/** Path parameter values, already percent-encoded as they go on the wire. */
const PATH_MUTATIONS: Mutation[] = [
  ['nul', '%00', 'nul'],
  ['nul-suffix', '0%00', 'nul'],
  ['surrogate-utf8', '%ED%A0%80', 'surrogate'],
  ['overlong-dot', '%C0%AE', undefined],
  ['dot-dot-slash', '..%2F..%2F', undefined],
  ['encoded-slash', 'a%2Fb', undefined],
  ['long', 'a'.repeat(1000), undefined],
  ['bad-escape', '%', undefined],
  ['bad-escape-hex', '%zz', undefined],
  ['invalid-utf8', '%FF', undefined],
  ['emoji', '%F0%9F%98%80', undefined],
  ['noncharacter', '%EF%BF%BF', undefined],
  ['space', '%20', undefined],
  ['dot', '.', undefined],
  ['dot-dot', '..', undefined],
  ['huge-number', '99999999999999999999999', undefined],
  ['negative', '-1', undefined],
  ['1e999', '1e999', undefined],
  ['json-escape', '%5Cu0000', undefined],
];

/** Query values (percent-encoded); no path traversal, since the admin route reads a location. */
const QUERY_MUTATIONS: Mutation[] = [
  ['nul', '%00', 'nul'],
  ['nul-inside', 'a%00b', 'nul'],
  // Fastify keeps an undecodable query value as its literal text (no surrogate ever reaches a handler).
  ['surrogate-utf8', '%ED%A0%80', undefined],
  ['invalid-utf8', '%FF', undefined],
  ['emoji', '%F0%9F%98%80', undefined],
  ['empty', '', undefined],
  ['long', 'q'.repeat(5000), undefined],
  ['bad-escape', '%', undefined],
  ['1e999', '1e999', undefined],
  ['negative', '-1', undefined],
  ['fraction', '0.5', undefined],
  ['huge-number', '99999999999999999999', undefined],
];

/** Values the admin import baseline names: a folder that does not exist, so nothing is imported. */
const QUERY_BASELINE: Record<string, string> = {
  location: '/nonexistent/fuzz-export/v1',
  modelId: SEEDED.modelId,
  sourceId: SEEDED.layer,
  explanations: 'true',
  maxErrors: '10',
};

function headerMutations(f: Fixtures): Array<[string, Record<string, string>]> {
  return [
    ['x-api-key:unknown', { 'x-api-key': 'np_not_a_real_key' }],
    ['x-api-key:latin1', { 'x-api-key': '\xff\xfe' }],
    ['x-api-key:long', { 'x-api-key': 'k'.repeat(8000) }],
    ['x-api-key:empty', { 'x-api-key': '' }],
    ['authorization:basic', { authorization: 'Basic Zm9vOmJhcg==' }],
    ['authorization:bearer-alone', { authorization: 'Bearer' }],
    ['authorization:bare-key', { authorization: f.userKey }],
    ['authorization:unknown-bearer-with-key', { authorization: 'Bearer np_not_a_real_key', 'x-api-key': f.userKey }],
    ['accept:xml', { accept: 'application/xml', 'x-api-key': f.userKey }],
    ['accept-encoding:gzip', { 'accept-encoding': 'gzip, deflate, br', 'x-api-key': f.userKey }],
    ['x-forwarded-for:junk', { 'x-forwarded-for': '999.1.1.1, \xff', 'x-api-key': f.userKey }],
  ];
}

// ---------------------------------------------------------------------------------------------
// Assembly

export interface GenerateOptions {
  seed: number;
  /** Share of the mutations outside the core set that are sent (chosen by the seed). */
  extendedShare: number;
  /** Share of the sent body mutations also sent without a key (path and query ones always are). */
  anonymousShare: number;
}

/**
 * Mutations sent on every run: the ones issue 12 found (NUL, surrogates, non-finite numbers,
 * empty arrays, a text/plain upload), the parser's edge cases, and every baseline. The rest are
 * sampled, so each seed covers a different share in bounded time.
 */
const CORE_MUTATIONS = new Set([
  'baseline',
  'ndjson:baseline',
  'array:empty',
  'json:null',
  'json:empty',
  'json:raw-nul-byte',
  'json:cesu-surrogate-bytes',
  'json:deep-arrays-100k',
  'ct:text/plain',
  'ct:missing',
  'ct:form',
  'ce:gzip-not-gzip',
  'ce:gzip-bomb',
]);

function isCore(fuzz: FuzzCase): boolean {
  return (
    fuzz.mustReject !== undefined ||
    CORE_MUTATIONS.has(fuzz.mutation) ||
    fuzz.target === 'method' ||
    (fuzz.mutation.startsWith('ndjson:') && fuzz.target === 'body')
  );
}

/** The same request without credentials. */
function anonymous(fuzz: FuzzCase): FuzzCase {
  const headers = Object.fromEntries(Object.entries(fuzz.request.headers).filter(([name]) => name !== 'x-api-key'));
  return { ...fuzz, auth: 'anon', request: { ...fuzz.request, headers } };
}

const AUTH_FOR_ADMIN_ROUTE = '/api/admin/import';

export function generateCases(document: OpenApiDocument, f: Fixtures, options: GenerateOptions): FuzzCase[] {
  let fresh = 0;
  const cases: FuzzCase[] = [];

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [lowerMethod, operation] of Object.entries(item)) {
      const method = lowerMethod.toUpperCase();
      const route = `${method} ${path}`;
      const userAuth = path === AUTH_FOR_ADMIN_ROUTE ? 'admin' : 'user';
      const key = userAuth === 'admin' ? f.adminKey : f.userKey;
      const add = (fuzz: Omit<FuzzCase, 'route' | 'auth'>) =>
        cases.push({
          route,
          auth: userAuth,
          ...fuzz,
          request: { ...fuzz.request, headers: { ...fuzz.request.headers, 'x-api-key': key } },
        });

      const params = operation.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const baseSegments: Record<string, string> = Object.fromEntries(
        pathParams.map((p) => [p.name, encodeURIComponent(String(p.name === 'name' ? SEEDED.setName : (hint(p.name) ?? 'fuzz')))]),
      );
      const urlWith = (segments: Record<string, string>, query: string) =>
        path.replace(/\{(\w+)\}/g, (_, name: string) => segments[name] ?? 'x') + (query ? `?${query}` : '');
      const baseQuery = queryParams.map((p) => `${p.name}=${encodeURIComponent(QUERY_BASELINE[p.name] ?? 'fuzz')}`).join('&');
      const baseUrl = urlWith(baseSegments, baseQuery);

      for (const param of pathParams) {
        for (const [name, value, reject] of PATH_MUTATIONS) {
          add({
            mutation: `path:${name}`,
            target: `path:${param.name}`,
            mustReject: reject,
            request: { method, url: urlWith({ ...baseSegments, [param.name]: value }, baseQuery), headers: {} },
          });
        }
      }
      for (const param of queryParams) {
        const others = queryParams
          .filter((p) => p !== param)
          .map((p) => `${p.name}=${encodeURIComponent(QUERY_BASELINE[p.name] ?? 'fuzz')}`);
        for (const [name, value, reject] of QUERY_MUTATIONS) {
          add({
            mutation: `query:${name}`,
            target: `query:${param.name}`,
            mustReject: reject,
            request: { method, url: urlWith(baseSegments, [...others, `${param.name}=${value}`].join('&')), headers: {} },
          });
        }
        add({
          mutation: 'query:repeated',
          target: `query:${param.name}`,
          request: {
            method,
            url: urlWith(baseSegments, `${baseQuery}&${param.name}=${encodeURIComponent(QUERY_BASELINE[param.name] ?? 'fuzz')}`),
            headers: {},
          },
        });
      }
      if (queryParams.length === 0 && method === 'GET') {
        add({
          mutation: 'query:junk',
          target: 'query',
          request: { method, url: urlWith(baseSegments, 'x=%00&y=%ED%A0%80&__proto__=1&z=%'), headers: {} },
        });
      }

      const content = operation.requestBody?.content ?? {};
      const schema = content['application/json']?.schema;
      const bodyFor = (n: number) => (schema ? baselineBody(path, schema, f, n) : undefined);
      const jsonRequest = (payload: string | Buffer, contentType: string | undefined = JSON_TYPE, encoding?: string): FuzzRequest => ({
        method,
        url: baseUrl,
        headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(encoding ? { 'content-encoding': encoding } : {}) },
        payload: typeof payload === 'string' ? toWire(payload) : payload,
      });

      if (method === 'POST') {
        add({ mutation: 'baseline', target: 'body', request: jsonRequest(schema ? encodeJson(bodyFor(++fresh)) : '') });
        const baseline = schema ? encodeJson(bodyFor(++fresh)) : '{}';
        for (const [name, payload, contentType, encoding] of bodyMutations(baseline)) {
          // Each write gets its own index, so an accepted one creates something to read back.
          const own = schema && typeof payload === 'string' && payload === baseline ? encodeJson(bodyFor(++fresh)) : payload;
          add({ mutation: name, target: 'body', request: jsonRequest(own, contentType, encoding) });
        }
      }

      if (schema) {
        for (const leaf of leaves(bodyFor(0), schema)) {
          const mutations: Array<[string, Raw | typeof OMIT, MustReject | undefined]> = mutationsFor(leaf).map(([name, json, reject]) => [
            `${leaf.kind}:${name}`,
            new Raw(json),
            reject,
          ]);
          if (typeof leaf.path.at(-1) === 'string') mutations.push(['omit', OMIT, undefined]);
          for (const [name, value, reject] of mutations) {
            const body = replaceAt(bodyFor(++fresh), leaf.path, value);
            add({
              mutation: name,
              target: `/${leaf.path.join('/')}`,
              mustReject: reject,
              field: reject === 'non-finite' ? fieldName(leaf.path) : undefined,
              request: jsonRequest(encodeJson(body)),
            });
          }
        }
      }

      if (path === '/api/upload/dashboard') cases.push(...ndjsonCases(route, f, schema!, () => ++fresh));

      for (const [name, headers] of headerMutations(f)) {
        const payload = method === 'POST' ? (schema ? encodeJson(bodyFor(++fresh)) : '') : undefined;
        const contentType: Record<string, string> = payload !== undefined ? { 'content-type': JSON_TYPE } : {};
        cases.push({
          route,
          auth: 'custom',
          mutation: name,
          target: `header:${name.split(':')[0]}`,
          request: { method, url: baseUrl, headers: { ...contentType, ...headers }, payload },
        });
      }

      // Methods the route does not take (HEAD is left out: its answers have no body to check).
      for (const other of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !item[m.toLowerCase()])) {
        const payload = other === 'GET' ? undefined : schema ? encodeJson(bodyFor(++fresh)) : '{}';
        add({
          mutation: `method:${other}`,
          target: 'method',
          request: { method: other, url: baseUrl, headers: payload === undefined ? {} : { 'content-type': JSON_TYPE }, payload },
        });
      }
    }
  }

  const random = prng(options.seed);
  const chosen: FuzzCase[] = [];
  for (const fuzz of cases) {
    if (!isCore(fuzz) && random() >= options.extendedShare) continue;
    chosen.push(fuzz);
    const parameter = /^(path|query)/.test(fuzz.target);
    if (fuzz.auth !== 'custom' && (parameter || random() < options.anonymousShare)) chosen.push(anonymous(fuzz));
  }
  return chosen;
}

/** The whole-source form of /api/upload/dashboard: a header line, then one feature per line. */
function ndjsonCases(route: string, f: Fixtures, schema: Schema, next: () => number): FuzzCase[] {
  const featureSchema = schema.properties?.features?.items ?? {};
  const header = encodeJson({ modelId: f.ownModel, source: f.ownSource });
  const feature = (n: number) =>
    (baselineBody('/api/upload/dashboard', schema, f, n) as { features: Json[] }).features[0] as Record<string, Json>;
  const request = (payload: string | Buffer, encoding?: string): FuzzRequest => ({
    method: 'POST',
    url: '/api/upload/dashboard',
    headers: { 'content-type': 'application/x-ndjson', 'x-api-key': f.userKey, ...(encoding ? { 'content-encoding': encoding } : {}) },
    payload: typeof payload === 'string' ? toWire(payload) : payload,
  });
  const cases: FuzzCase[] = [];
  const push = (fuzz: Omit<FuzzCase, 'route' | 'auth'>) => cases.push({ route, auth: 'user', ...fuzz });

  push({ mutation: 'ndjson:baseline', target: 'body', request: request(`${header}\n${encodeJson(feature(next()))}\n`) });
  const whole: Array<[string, string | Buffer]> = [
    ['ndjson:empty', ''],
    ['ndjson:blank-lines', '\n\n\n'],
    ['ndjson:header-only', `${header}\n`],
    ['ndjson:not-json', 'hello\nworld\n'],
    ['ndjson:header-array', '[]\n'],
    ['ndjson:header-null', 'null\n'],
    ['ndjson:header-nul', `{"modelId":"\\u0000","source":"\\ud800"}\n${encodeJson(feature(next()))}\n`],
    ['ndjson:feature-null', `${header}\nnull\n`],
    ['ndjson:feature-array', `${header}\n[]\n`],
    ['ndjson:feature-not-json', `${header}\n{"index":\n`],
    ['ndjson:crlf', `${header}\r\n${encodeJson(feature(next()))}\r\n`],
    ['ndjson:no-final-newline', `${header}\n${encodeJson(feature(next()))}`],
    [
      'ndjson:raw-nul-byte',
      Buffer.concat([
        Buffer.from(`${header}\n{"index":${1000 + next()},"activations":[{"tokens":["a`),
        Buffer.from([0]),
        Buffer.from('"],"values":[1]}]}\n'),
      ]),
    ],
    ['ndjson:deep-nesting', `${header}\n${DEEP_ARRAY}\n`],
  ];
  for (const [name, payload] of whole) push({ mutation: name, target: 'body', request: request(payload) });
  const gzipped = gzipSync(`${header}\n${encodeJson(feature(next()))}\n`);
  for (const [name, payload] of [
    ['ndjson:gzip', gzipped],
    ['ndjson:gzip-truncated', gzipped.subarray(0, gzipped.length - 8)],
    ['ndjson:gzip-not-gzip', Buffer.from(`${header}\n`)],
    ['ndjson:gzip-bomb', gzipSync(`${header}\n${' '.repeat(64 * 1024 * 1024)}`)],
  ] as Array<[string, Buffer]>) {
    push({ mutation: name, target: 'body', request: request(payload, 'gzip') });
  }

  for (const leaf of leaves(feature(0), featureSchema)) {
    for (const [name, json, reject] of mutationsFor(leaf)) {
      const line = encodeJson(replaceAt(feature(next()), leaf.path, new Raw(json)));
      push({
        mutation: `ndjson:${leaf.kind}:${name}`,
        target: `line 2: /${leaf.path.join('/')}`,
        mustReject: reject,
        field: reject === 'non-finite' ? fieldName(leaf.path) : undefined,
        request: request(`${header}\n${line}\n`),
      });
    }
  }
  return cases;
}

/** Routes that call a model service: the document lists a 502 or 504 for them. */
export function modelServiceRoutes(document: OpenApiDocument): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if ('502' in operation.responses || '504' in operation.responses) routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes;
}
