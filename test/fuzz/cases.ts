// Requests generated from the served OpenAPI document: for every operation, a valid-ish baseline
// built from its schemas (with the seeded data's real ids, so requests reach the handlers and the
// database), then that baseline with one thing broken at a time: a field's value, a path or query
// parameter, the body as a whole, its content type, or an auth header.
import { gzipSync } from 'node:zlib';
import { baselineBody, hint } from './baselines.js';
import {
  SEEDED,
  type Fixtures,
  type FuzzCase,
  type FuzzRequest,
  type MustReject,
  type OpenApiDocument,
  type Schema,
} from './case-types.js';
import { mulberry32 } from '../../src/random.js';
import { encodeJson, OMIT, Raw, replaceAt, toWire } from './json-text.js';
import { DEEP_ARRAY, fieldName, leaves, mutationsFor } from './value-mutations.js';

type Json = unknown;

import { bodyMutations, headerMutations, JSON_TYPE, PATH_MUTATIONS, QUERY_BASELINE, QUERY_MUTATIONS } from './request-mutations.js';

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

  const random = mulberry32(options.seed);
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
