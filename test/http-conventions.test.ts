// Conventions every route shares: JSON errors with stable codes, trailing slashes, gzip, CORS,
// bodies that are malformed, too large or of the wrong type, and no stack traces.
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeClientError } from '../src/http/client-error.js';
import { buildTestApp, type TestContext } from './helper.js';
import { expectErrorBody } from './fixtures/error-body.js';
import { rawHttpRequest, rawRequest } from './fixtures/raw-http.js';
import { seedSource } from './fixtures/seed.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ BODY_LIMIT_BYTES: '2048' });
  await seedSource(ctx.database.db, { activationsPerFeature: 20, tokensPerActivation: 32 });
});
afterAll(() => ctx?.close());

describe('errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/no-such-route' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expectErrorBody(res.json(), 'ROUTE_NOT_FOUND');
    expect(res.json().message).toContain('/api/no-such-route');
  });

  it('rejects malformed JSON with 400 INVALID_JSON', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/features',
      headers: { 'content-type': 'application/json' },
      payload: '[{"modelId": "gpt2-small",',
    });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res.json(), 'INVALID_JSON');
  });

  it('rejects oversized bodies with 413', async () => {
    const big = JSON.stringify([{ modelId: 'gpt2-small', layer: '6-res-jb', index: 1, pad: 'x'.repeat(4000) }]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/features',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expectErrorBody(res.json(), 'PAYLOAD_TOO_LARGE');
  });

  it('rejects a body of the wrong type with 400 naming the field', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/activation/get',
      payload: { modelId: 'gpt2-small', source: 6, index: 1 },
    });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res.json(), 'VALIDATION_ERROR');
    expect(res.json().message).toContain('body/source');
  });

  it('does not coerce booleans or objects into indexes', async () => {
    for (const index of [true, { $gt: 1 }, [1], 1.5, -3, '-3', 'abc', '']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/activation/get',
        payload: { modelId: 'gpt2-small', source: '6-res-jb', index },
      });
      expect(res.statusCode, JSON.stringify(index)).toBe(400);
      expect(res.json().message).toContain('body/index');
    }
  });

  it('rejects an unsupported content type with 415', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/features', headers: { 'content-type': 'text/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
    expectErrorBody(res.json(), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('treats SQL-looking strings as plain values', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/feature/${encodeURIComponent("gpt2-small' OR '1'='1")}/6-res-jb/1` });
    expect(res.statusCode).toBe(404);
    expectErrorBody(res.json(), 'NOT_FOUND');
    const still = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' });
    expect(still.statusCode).toBe(200);
  });
});

describe('feature index in the URL', () => {
  it.each(['-1', 'abc', '1.5', '1e3'])('rejects %s with 400', async (index) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/feature/gpt2-small/6-res-jb/${index}` });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res.json(), 'VALIDATION_ERROR');
    expect(res.json().message).toContain('params/index');
  });

  it('reads leading zeros as the same feature', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/0002' });
    expect(res.statusCode).toBe(200);
    expect(res.json().index).toBe('2');
  });
});

describe('routing and transport', () => {
  it('accepts trailing slashes', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1/' });
    expect(res.statusCode).toBe(200);
    expect(res.json().index).toBe('1');
  });

  it('gzips large responses when asked', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(res.rawPayload).toString('utf8'));
    expect(body.activations).toHaveLength(20);
  });

  it('serves the same gzip bytes from the cache, and deflate or identity to clients that ask for them', async () => {
    const url = '/api/feature/gpt2-small/6-res-jb/2';
    const first = await ctx.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate' } });
    const second = await ctx.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(second.headers['content-encoding']).toBe('gzip');
    expect(second.headers.vary).toMatch(/accept-encoding/i);
    expect(Buffer.compare(first.rawPayload, second.rawPayload)).toBe(0);
    const plain = await ctx.app.inject({ method: 'GET', url });
    expect(JSON.parse(gunzipSync(second.rawPayload).toString('utf8'))).toEqual(plain.json());
    const refused = await ctx.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.json()).toEqual(plain.json());
    const deflate = await ctx.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'deflate' } });
    expect(deflate.headers['content-encoding']).toBe('deflate');
    expect(JSON.parse(inflateSync(deflate.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('does not compress when not asked', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' });
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('sets CORS headers on API responses and answers preflight', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/feature/gpt2-small/6-res-jb/1',
      headers: { origin: 'https://example.test' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const preflight = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/features',
      headers: {
        origin: 'https://example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it('reports health with a database check', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'healthy', database: ctx.database.kind });
  });
});

describe('requests refused by the HTTP parser', () => {
  // Node answers these before Fastify sees a request, so only a real socket can send them.
  let port = 0;
  beforeAll(async () => {
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    port = (ctx.app.server.address() as AddressInfo).port;
  });

  async function expectParserError(request: string, status: number, code: string) {
    const res = await rawRequest(port, request);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.connection).toBe('close');
    expectErrorBody(JSON.parse(res.body), code);
    return JSON.parse(res.body) as { message: string };
  }

  it('answers headers that are too large with 431 and a code', async () => {
    const body = await expectParserError(
      rawHttpRequest('GET', '/health', { headers: [['x-pad', 'a'.repeat(20_000)]] }),
      431,
      'REQUEST_HEADERS_TOO_LARGE',
    );
    expect(body.message).toMatch(/larger than this server accepts \(\d+ bytes in all\)/);
  });

  it.each([
    ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'],
    ['a control character in a header value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n'],
    ['a malformed request line', 'HELLO\r\n\r\n'],
    ['a target that is not a path', 'GET %2Fhealth HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('answers %s with 400 BAD_REQUEST', async (_name, request) => {
    const body = await expectParserError(request, 400, 'BAD_REQUEST');
    expect(body.message).toMatch(/^Malformed HTTP request: .+\.$/);
  });

  it("names a request that arrived too slowly (Node's requestTimeout) 408 REQUEST_TIMEOUT", () => {
    expect(describeClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })).code).toBe('REQUEST_TIMEOUT');
  });

  it('keeps serving afterwards', async () => {
    const res = await rawRequest(port, rawHttpRequest('GET', '/health'));
    expect(res.status).toBe(200);
  });
});
