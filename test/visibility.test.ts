// Who may read what: every viewer × every visibility × every read path. A private model, source set
// or feature answers exactly as one that does not exist, to anyone but its creator and admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

type ViewerName = 'anonymous' | 'owner' | 'other' | 'admin';
type Visibility = 'PUBLIC' | 'UNLISTED' | 'PRIVATE';

let ctx: TestContext;
const keys: Partial<Record<ViewerName, string>> = {};
const model = (v: Visibility) => `${v.toLowerCase()}-model`;

beforeAll(async () => {
  ctx = await buildTestApp();
  const owner = await userWithKey(ctx.database.db, 'owner');
  keys.owner = owner.key;
  keys.other = (await userWithKey(ctx.database.db, 'other')).key;
  keys.admin = (await userWithKey(ctx.database.db, 'root', true)).key;
  for (const visibility of ['PUBLIC', 'UNLISTED', 'PRIVATE'] as const) {
    await seedSource(ctx.database.db, {
      modelId: model(visibility),
      setName: 'set',
      layerNumber: 0,
      visibility,
      creatorId: owner.user.id,
      features: 1,
      activationsPerFeature: 2,
    });
  }
});
afterAll(() => ctx?.close());

const headers = (viewer: ViewerName) => (keys[viewer] ? { 'x-api-key': keys[viewer]! } : {});

/** Each read path answers whether the viewer could see the model's feature (or set). */
const readPaths: Record<string, (viewer: ViewerName, modelId: string) => Promise<boolean>> = {
  'GET /api/feature': async (viewer, modelId) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/feature/${modelId}/0-set/0`, headers: headers(viewer) });
    expect([200, 404]).toContain(res.statusCode);
    return res.statusCode === 200;
  },
  'POST /api/features': async (viewer, modelId) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/features',
      headers: headers(viewer),
      payload: [{ modelId, layer: '0-set', index: 0 }],
    });
    expect(res.statusCode).toBe(200);
    return res.json().length === 1;
  },
  'POST /api/activation/get': async (viewer, modelId) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/activation/get',
      headers: headers(viewer),
      payload: { modelId, source: '0-set', index: 0 },
    });
    expect([200, 404]).toContain(res.statusCode);
    return res.statusCode === 200;
  },
  'GET /api/source-set': async (viewer, modelId) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/source-set/${modelId}/set`, headers: headers(viewer) });
    expect([200, 404]).toContain(res.statusCode);
    return res.statusCode === 200;
  },
};

const canRead: Record<Visibility, ViewerName[]> = {
  PUBLIC: ['anonymous', 'owner', 'other', 'admin'],
  UNLISTED: ['anonymous', 'owner', 'other', 'admin'],
  PRIVATE: ['owner', 'admin'],
};
const isListed: Record<Visibility, ViewerName[]> = {
  PUBLIC: ['anonymous', 'owner', 'other', 'admin'],
  UNLISTED: ['owner', 'admin'],
  PRIVATE: ['owner', 'admin'],
};

const cases = (['anonymous', 'owner', 'other', 'admin'] as const).flatMap((viewer) =>
  (['PUBLIC', 'UNLISTED', 'PRIVATE'] as const).map((visibility) => [viewer, visibility] as const),
);

describe.each(Object.keys(readPaths))('%s', (path) => {
  it.each(cases)('as %s on a %s model', async (viewer, visibility) => {
    expect(await readPaths[path]!(viewer, model(visibility))).toBe(canRead[visibility].includes(viewer));
  });
});

describe('GET /api/models', () => {
  it.each(cases)('as %s lists a %s model only when it should', async (viewer, visibility) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/models', headers: headers(viewer) });
    const ids = res.json().models.map((m: { id: string }) => m.id);
    expect(ids.includes(model(visibility))).toBe(isListed[visibility].includes(viewer));
  });
});

it('answers a hidden feature byte for byte like a missing one', async () => {
  const hidden = await ctx.app.inject({ method: 'GET', url: '/api/feature/private-model/0-set/0', headers: headers('other') });
  const missing = await ctx.app.inject({ method: 'GET', url: '/api/feature/no-model/0-set/0', headers: headers('other') });
  expect(hidden.statusCode).toBe(404);
  expect(hidden.body).toBe(missing.body);
});
