import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
  await seedSource(ctx.database.db);
});
afterAll(() => ctx?.close());

describe('GET /api/feature/{modelId}/{layer}/{index}', () => {
  it('returns the feature', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.index).toBe('1');
    console.log(JSON.stringify(body).slice(0, 3000));
  });
});
