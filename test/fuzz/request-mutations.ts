// Mutations of a whole request: the body as a whole, its content type and encoding, path and query
// parameters, and auth headers.
import { gzipSync } from 'node:zlib';
import { SEEDED, type Fixtures } from './case-types.js';
import { DEEP_ARRAY, type Mutation } from './value-mutations.js';

// ---------------------------------------------------------------------------------------------
// Whole bodies, content types, parameters and headers

export const JSON_TYPE = 'application/json';
/** 8 MiB of JSON in about 8 KB: over any body limit once inflated. */
export const GZIP_BOMB = gzipSync(`{"a":"${'x'.repeat(8 * 1024 * 1024)}"}`);

export function bodyMutations(
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
export const PATH_MUTATIONS: Mutation[] = [
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
export const QUERY_MUTATIONS: Mutation[] = [
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
export const QUERY_BASELINE: Record<string, string> = {
  location: '/nonexistent/fuzz-export/v1',
  modelId: SEEDED.modelId,
  sourceId: SEEDED.layer,
  explanations: 'true',
  maxErrors: '10',
};

export function headerMutations(f: Fixtures): Array<[string, Record<string, string>]> {
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
