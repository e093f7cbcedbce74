// The served OpenAPI document is valid OpenAPI 3 and describes every route with tags, an
// operationId and error responses.
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
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
