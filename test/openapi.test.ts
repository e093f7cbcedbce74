// The served OpenAPI document is valid OpenAPI 3 and describes every route with tags, an
// operationId and error responses; and every route's schemas compile (the server compiles them on
// a route's first request, not at start).
import SwaggerParser from '@apidevtools/swagger-parser';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSerializerOnFirstCall, type CompiledOnFirstCall } from '../src/compile-on-first-call.js';
import { validatorCompiler } from '../src/validation.js';
import { buildTestApp, type TestContext } from './helper.js';

let ctx: TestContext;
const routes: RouteOptions[] = [];
beforeAll(async () => {
  ctx = await buildTestApp({}, { onRoute: (route) => void routes.push(route) });
});
afterAll(() => ctx?.close());

type Operation = { tags?: string[]; operationId?: string; responses?: Record<string, unknown> };

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3 document', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    expect(document.openapi).toMatch(/^3\./);
    // validate() checks the document against the OpenAPI schema and resolves every $ref.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
  });

  it('gives every operation tags, a unique operationId and documented errors', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const operations: Array<[string, Operation]> = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, operation] of Object.entries(item)) operations.push([`${method.toUpperCase()} ${path}`, operation]);
    }
    expect(operations.length).toBeGreaterThan(4);
    const ids = new Set<string>();
    for (const [name, operation] of operations) {
      expect(operation.tags?.length, name).toBeGreaterThan(0);
      expect(operation.operationId, name).toBeTruthy();
      expect(ids.has(operation.operationId!), `duplicate operationId ${operation.operationId}`).toBe(false);
      ids.add(operation.operationId!);
      expect(
        Object.keys(operation.responses ?? {}).some((status) => status.startsWith('4')),
        name,
      ).toBe(true);
    }
    expect(document.paths['/api/feature/{modelId}/{layer}/{index}']?.get?.operationId).toBe('getFeature');
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
  });

  it('serves the interactive documentation page', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api-doc' });
    expect([200, 302]).toContain(res.statusCode);
    const page = await ctx.app.inject({ method: 'GET', url: '/api-doc/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger');
  });
});

describe('route schemas', () => {
  type Lazy = CompiledOnFirstCall<() => unknown>;
  it("all compile, though the server compiles each on its route's first request", () => {
    const serializerFor = buildSerializerOnFirstCall(ctx.app.getSchemas(), {});
    const compiled: string[] = [];
    const compile = (name: string, lazy: unknown) => {
      expect(() => (lazy as Lazy).compiled(), name).not.toThrow();
      compiled.push(name);
    };
    for (const route of routes) {
      const schema = route.schema as Record<string, unknown> | undefined;
      if (!schema) continue;
      const [method, url] = [String(route.method), route.url];
      for (const httpPart of ['body', 'querystring', 'params', 'headers'])
        if (schema[httpPart])
          compile(`${method} ${url} ${httpPart}`, validatorCompiler({ schema: schema[httpPart], httpPart, method, url }));
      for (const [httpStatus, response] of Object.entries((schema.response ?? {}) as Record<string, { content?: object }>)) {
        const schemas = response.content ? Object.values(response.content).map((c: { schema: unknown }) => c.schema) : [response];
        for (const one of schemas) compile(`${method} ${url} ${httpStatus}`, serializerFor({ schema: one, method, url, httpStatus }));
      }
    }
    expect(compiled.length).toBeGreaterThan(200);
  });

  it('validate on the first request: a bad body answers 400 with the field named', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/explanation/search', payload: { modelId: 5, query: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('body/layers is required');
  });
});
