// Lists over HTTP, as the Python client uses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

let ctx: TestContext;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload: unknown, key?: string) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  ctx = await buildTestApp();
  alice = await userWithKey(ctx.database.db, 'alice');
  bob = await userWithKey(ctx.database.db, 'bob');
  await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 5 });
  await seedSource(ctx.database.db, { modelId: 'bob-secret', visibility: 'PRIVATE', creatorId: bob.user.id, features: 1 });
});
afterAll(() => ctx?.close());

describe('lists', () => {
  let listId = '';

  it('are created, filled and read back in order', async () => {
    const created = await post('/api/list/new', { name: 'Dogs', description: 'dog features' }, alice.key);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ name: 'Dogs', description: 'dog features', userId: alice.user.id, user: { name: 'alice' } });
    listId = created.json().id;
    expect(created.json().url).toBe(`http://mirror.test/list/${listId}`);

    const added = await post(
      '/api/list/add-features',
      {
        listId,
        featuresToAdd: [
          { modelId: 'gpt2-small', layer: '6-res-jb', index: 2, description: 'good one' },
          { modelId: 'gpt2-small', layer: '6-res-jb', index: '0' },
        ],
      },
      alice.key,
    );
    expect(added.statusCode).toBe(200);
    expect(added.json().map((i: Record<string, unknown>) => [i.modelId, i.layer, i.index, i.description])).toEqual([
      ['gpt2-small', '6-res-jb', '2', 'good one'],
      ['gpt2-small', '6-res-jb', '0', null],
    ]);

    const got = await post('/api/list/get', { listId });
    expect(got.statusCode).toBe(200);
    const body = got.json();
    expect(body).toMatchObject({ id: listId, name: 'Dogs' });
    expect(body.neurons.map((n: Record<string, string>) => n.index).sort()).toEqual(['0', '2']);
    expect(body.neurons[0].neuron.activations).toHaveLength(3); // top 3, as upstream

    const mine = await ctx.app.inject({ method: 'POST', url: '/api/list/list', headers: { 'x-api-key': alice.key } });
    expect(mine.json().map((l: { id: string; _count: { neurons: number } }) => [l.id, l._count.neurons])).toEqual([[listId, 2]]);
    const feature = (await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/2' })).json();
    expect(feature.lists).toHaveLength(1);
    expect(feature.lists[0]).toMatchObject({ listId, description: 'good one', list: { name: 'Dogs' } });
  });

  it('are changed only by their owner', async () => {
    const theirs = await post(
      '/api/list/add-features',
      { listId, featuresToAdd: [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 1 }] },
      bob.key,
    );
    expect(theirs.statusCode).toBe(403);
    expect((await post('/api/list/delete', { listId }, bob.key)).statusCode).toBe(403);
    expect((await post('/api/list/new', { name: 'x' })).statusCode).toBe(401);
  });

  it('refuse features the owner cannot see, and more than 100 at once', async () => {
    const hidden = await post(
      '/api/list/add-features',
      { listId, featuresToAdd: [{ modelId: 'bob-secret', layer: '6-res-jb', index: 0 }] },
      alice.key,
    );
    expect(hidden.statusCode).toBe(404);
    const many = Array.from({ length: 101 }, (_, i) => ({ modelId: 'gpt2-small', layer: '6-res-jb', index: i }));
    expect((await post('/api/list/add-features', { listId, featuresToAdd: many }, alice.key)).statusCode).toBe(400);
  });

  it('lose items and are deleted', async () => {
    const removed = await post('/api/list/remove', { listId, modelId: 'gpt2-small', layer: '6-res-jb', index: '2' }, alice.key);
    expect(removed.json()).toMatchObject({ listId, index: '2' });
    expect((await post('/api/list/remove', { listId, modelId: 'gpt2-small', layer: '6-res-jb', index: '2' }, alice.key)).statusCode).toBe(
      404,
    );
    expect((await post('/api/list/delete', { listId }, alice.key)).json()).toBe(true);
    expect((await post('/api/list/get', { listId })).statusCode).toBe(404);
  });
});
