// Explanation search over HTTP: semantic (pgvector) with the embeddings stand-in, full-text without
// an embedding service; ranking, paging, filters and access rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEmbeddings } from '../src/db/queries/explanations.js';
import { explanation, neuron, sourceSet } from '../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestContext } from './helper.js';
import { fakeEmbedding, startEmbeddingsDouble, type EmbeddingsDouble } from './doubles/embeddings-server.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const TOPICS = [
  'legal contracts and clauses',
  'dogs barking loudly',
  'python code indentation',
  'french cooking recipes',
  'stock market prices',
];

/** 30 features per source; feature i gets the topic i % 5, plus a second generic explanation. */
async function seed(ctx: TestContext, ownerId: string) {
  await seedSource(ctx.database.db, { features: 30, activationsPerFeature: 4 });
  await seedSource(ctx.database.db, { layerNumber: 7, features: 10, activationsPerFeature: 1 });
  await seedSource(ctx.database.db, {
    modelId: 'secret-model',
    visibility: 'PRIVATE',
    creatorId: ownerId,
    features: 5,
    activationsPerFeature: 1,
  });
  await ctx.database.db.update(sourceSet).set({ releaseName: 'jb-release' }).where(eq(sourceSet.modelId, 'gpt2-small'));
  // Replace the seed's descriptions with topics, and embed them as the stand-in would.
  const rows = await ctx.database.db.select().from(explanation);
  for (const row of rows) {
    const topic = row.id.endsWith('-a')
      ? TOPICS[Number(row.index) % TOPICS.length]!
      : `generic feature number ${row.index} of ${row.layer}`;
    const description = row.modelId === 'secret-model' ? `secret legal contracts ${row.index}` : topic;
    await ctx.database.db.update(explanation).set({ description }).where(eq(explanation.id, row.id));
    await storeEmbeddings(ctx.database.db, [{ id: row.id, embedding: fakeEmbedding(description, 256) }]);
  }
}

describe('semantic search', () => {
  let double: EmbeddingsDouble;
  let ctx: TestContext;
  let owner: Awaited<ReturnType<typeof userWithKey>>;
  beforeAll(async () => {
    double = await startEmbeddingsDouble();
    ctx = await buildTestApp({ EMBEDDING_URL: double.url });
    owner = await userWithKey(ctx.database.db, 'owner');
    await seed(ctx, owner.user.id);
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });
  const search = (url: string, body: object, key?: string) =>
    ctx.app.inject({ method: 'POST', url, payload: body, headers: key ? { 'x-api-key': key } : {} });

  it("ranks the explanations that share the query's words first, with their features", async () => {
    const res = await search('/api/explanation/search-all', { query: 'legal contracts' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.searchMode).toBe('semantic');
    expect(body.request).toEqual({ query: 'legal contracts' });
    expect(body.resultsCount).toBe(20);
    const top = body.results.slice(0, 8);
    for (const hit of top) expect(hit.description).toBe('legal contracts and clauses');
    const sims = body.results.map((r: { cosine_similarity: number }) => r.cosine_similarity);
    expect(sims).toEqual([...sims].sort((a: number, b: number) => b - a));
    expect(top[0].neuron).toMatchObject({ modelId: 'gpt2-small', layer: top[0].layer, index: top[0].index });
    expect(top[0].neuron.activations.length).toBeLessThanOrEqual(3);
    expect(double.requests.at(-1)).toMatchObject({ input: ['legal contracts'], dimensions: 256 });
  });

  it('pages by 20 with hasMore and nextOffset', async () => {
    const first = (await search('/api/explanation/search-model', { modelId: 'gpt2-small', query: 'dogs barking' })).json();
    expect(first).toMatchObject({ resultsCount: 20, hasMore: true, nextOffset: 20 });
    const second = (await search('/api/explanation/search-model', { modelId: 'gpt2-small', query: 'dogs barking', offset: 20 })).json();
    const third = (await search('/api/explanation/search-model', { modelId: 'gpt2-small', query: 'dogs barking', offset: 40 })).json();
    const last = (await search('/api/explanation/search-model', { modelId: 'gpt2-small', query: 'dogs barking', offset: 60 })).json();
    // gpt2-small: 40 features, two explanations each.
    expect(third).toMatchObject({ resultsCount: 20, hasMore: true, nextOffset: 60 });
    expect(last).toMatchObject({ resultsCount: 20, hasMore: false });
    expect(last).not.toHaveProperty('nextOffset');
    const pages = [first, second, third, last].flatMap((p) => p.results);
    const ids = pages.map((r: Record<string, string>) => `${r.layer}/${r.index}/${r.description}`);
    expect(new Set(ids).size).toBe(80);
    const sims = pages.map((r: { cosine_similarity: number }) => r.cosine_similarity);
    expect(sims).toEqual([...sims].sort((a: number, b: number) => b - a));
  });

  it('filters by sources and by release', async () => {
    const layers = (await search('/api/explanation/search', { modelId: 'gpt2-small', layers: ['7-res-jb'], query: 'stock market' })).json();
    expect(layers.results.length).toBe(20);
    expect(new Set(layers.results.map((r: { layer: string }) => r.layer))).toEqual(new Set(['7-res-jb']));
    const release = (await search('/api/explanation/search-release', { releaseName: 'jb-release', query: 'python code' })).json();
    expect(release.results[0].description).toBe('python code indentation');
    const none = (await search('/api/explanation/search-release', { releaseName: 'no-release', query: 'python code' })).json();
    expect(none).toMatchObject({ resultsCount: 0, hasMore: false, results: [] });
  });

  it('shows private features to their owner only', async () => {
    const anonymous = (await search('/api/explanation/search-all', { query: 'secret legal contracts' })).json();
    expect(anonymous.results.some((r: { modelId: string }) => r.modelId === 'secret-model')).toBe(false);
    const mine = (await search('/api/explanation/search-all', { query: 'secret legal contracts' }, owner.key)).json();
    expect(mine.results[0].modelId).toBe('secret-model');
    expect(mine.results[0].neuron).not.toBeNull();
  });

  it('refuses short queries and bad bodies, and reports the embedding service failing', async () => {
    expect((await search('/api/explanation/search-all', { query: 'ab' })).statusCode).toBe(400);
    expect((await search('/api/explanation/search', { modelId: 'gpt2-small', query: 'dogs' })).json().message).toBe(
      'body/layers is required',
    );
    expect((await search('/api/explanation/search-all', { query: 'dogs', offset: -1 })).statusCode).toBe(400);
    double.failNext = 1;
    const failed = await search('/api/explanation/search-all', { query: 'dogs barking' });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().code).toBe('UPSTREAM_ERROR');
  });
});

describe("an embedding model other than the stored embeddings'", () => {
  it('searches full text and says why, instead of ranking nonsense', async () => {
    const double = await startEmbeddingsDouble();
    const ctx = await buildTestApp({ EMBEDDING_URL: double.url, EMBEDDING_MODEL: 'nomic-embed-text' });
    try {
      const owner = await userWithKey(ctx.database.db, 'owner');
      await seed(ctx, owner.user.id);
      const before = double.requests.length;
      const body = (
        await ctx.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'cooking recipes' } })
      ).json();
      expect(body.searchMode).toBe('fulltext');
      expect(body.warning).toMatch(/come from text-embedding-3-large but EMBEDDING_MODEL is nomic-embed-text/);
      expect(body.results[0].description).toBe('french cooking recipes');
      expect(double.requests.length).toBe(before); // the query was not embedded
    } finally {
      await ctx.close();
      await double.close();
    }
    const matching = await startEmbeddingsDouble();
    const ours = await buildTestApp({
      EMBEDDING_URL: matching.url,
      EMBEDDING_MODEL: 'nomic-embed-text',
      STORED_EMBEDDING_MODEL: 'nomic-embed-text',
    });
    try {
      const owner = await userWithKey(ours.database.db, 'owner');
      await seed(ours, owner.user.id);
      const body = (
        await ours.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'cooking recipes' } })
      ).json();
      expect(body.searchMode).toBe('semantic');
      expect(body).not.toHaveProperty('warning');
    } finally {
      await ours.close();
      await matching.close();
    }
  });
});

describe('full-text fallback', () => {
  let ctx: TestContext;
  let owner: Awaited<ReturnType<typeof userWithKey>>;
  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await userWithKey(ctx.database.db, 'owner');
    await seed(ctx, owner.user.id);
  });
  afterAll(() => ctx?.close());

  it('finds descriptions by their words and says it searched full text', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'cooking recipes' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.searchMode).toBe('fulltext');
    expect(body.results.length).toBeGreaterThan(0);
    for (const hit of body.results) {
      expect(hit.description).toBe('french cooking recipes');
      expect(hit.cosine_similarity).toBeNull();
    }
    const hidden = (await ctx.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'secret' } })).json();
    expect(hidden.results).toEqual([]);
    await ctx.database.db.update(neuron).set({ visibility: 'PRIVATE' }).where(eq(neuron.index, '3'));
    const afterHiding = (
      await ctx.app.inject({ method: 'POST', url: '/api/explanation/search-all', payload: { query: 'cooking recipes' } })
    ).json();
    expect(afterHiding.results.some((r: { index: string }) => r.index === '3')).toBe(false);
  });
});
