// POST /api/features, POST /api/activation/get, GET /api/source-set/{modelId}/{name}, GET /api/models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceRelease, sourceSet } from '../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestContext } from './helper.js';
import {
  ACTIVATION_FIELDS,
  MODEL_FIELDS,
  NEURON_FIELDS,
  shapeMismatches,
  SOURCE_FIELDS,
  SOURCE_SET_FIELDS,
} from './fixtures/feature-shape.js';
import { BOT_ID, seedSource } from './fixtures/seed.js';

let ctx: TestContext;
const post = (url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object });

beforeAll(async () => {
  ctx = await buildTestApp();
  const db = ctx.database.db;
  await db.insert(sourceRelease).values({
    name: 'gpt2sm-res-jb',
    visibility: 'PUBLIC',
    description: 'Residual SAEs',
    urls: [],
    creatorName: 'Joseph Bloom',
    creatorId: BOT_ID,
  });
  await seedSource(db, { features: 5, activationsPerFeature: 6 });
  await seedSource(db, { layerNumber: 7, features: 2 });
  await db.update(sourceSet).set({ releaseName: 'gpt2sm-res-jb' }).where(eq(sourceSet.name, 'res-jb'));
  await seedSource(db, {
    modelId: 'secret-model',
    setName: 'priv',
    layerNumber: 0,
    visibility: 'PRIVATE',
    creatorId: 'user-alice',
    features: 2,
  });
  await seedSource(db, {
    modelId: 'hidden-model',
    setName: 'unl',
    layerNumber: 0,
    visibility: 'UNLISTED',
    creatorId: 'user-alice',
    features: 1,
  });
});
afterAll(() => ctx?.close());

describe('POST /api/features', () => {
  it('returns the features in request order with explanations and activations', async () => {
    const res = await post('/api/features', [
      { modelId: 'gpt2-small', layer: '6-res-jb', index: 3 },
      { modelId: 'gpt2-small', layer: '7-res-jb', index: '1' },
      { modelId: 'gpt2-small', layer: '6-res-jb', index: 0 },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.map((f: { layer: string; index: string }) => `${f.layer}/${f.index}`)).toEqual(['6-res-jb/3', '7-res-jb/1', '6-res-jb/0']);
    expect(shapeMismatches(body[0], NEURON_FIELDS)).toEqual([]);
    expect(body[0].explanations).toHaveLength(2);
    expect(Object.keys(body[0].explanations[0]).sort()).toEqual([
      'description',
      'explanationModelName',
      'index',
      'layer',
      'modelId',
      'source',
      'typeName',
    ]);
    expect(body[0].activations).toHaveLength(6);
    expect(shapeMismatches(body[0].activations[0], ACTIVATION_FIELDS)).toEqual([]);
    const maxValues = body[0].activations.map((a: { maxValue: number }) => a.maxValue);
    expect(maxValues).toEqual([...maxValues].sort((a, b) => b - a));
  });

  it("limits activations per feature with the first item's maxActsToReturn", async () => {
    const body = (
      await post('/api/features', [
        { modelId: 'gpt2-small', layer: '6-res-jb', index: 1, maxActsToReturn: 2 },
        { modelId: 'gpt2-small', layer: '6-res-jb', index: 2 },
      ])
    ).json();
    expect(body.map((f: { activations: unknown[] }) => f.activations.length)).toEqual([2, 2]);
    const all = (await post('/api/activation/get', { modelId: 'gpt2-small', source: '6-res-jb', index: 1 })).json();
    expect(body[0].activations.map((a: { id: string }) => a.id)).toEqual(all.slice(0, 2).map((a: { id: string }) => a.id));
  });

  it('leaves out missing and private features without saying which', async () => {
    const body = (
      await post('/api/features', [
        { modelId: 'secret-model', layer: '0-priv', index: 0 },
        { modelId: 'gpt2-small', layer: '6-res-jb', index: 99999 },
        { modelId: 'gpt2-small', layer: '6-res-jb', index: 4 },
        { modelId: 'hidden-model', layer: '0-unl', index: 0 },
      ])
    ).json();
    expect(body.map((f: { modelId: string; index: string }) => `${f.modelId}/${f.index}`)).toEqual(['gpt2-small/4', 'hidden-model/0']);
  });

  it('answers [] for an empty list and 400 for more than 1024 features or a missing field', async () => {
    expect((await post('/api/features', [])).json()).toEqual([]);
    const tooMany = Array.from({ length: 1025 }, (_, i) => ({ modelId: 'gpt2-small', layer: '6-res-jb', index: i }));
    const res = await post('/api/features', tooMany);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_ERROR');
    const missing = await post('/api/features', [{ modelId: 'gpt2-small', index: 1 }]);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe('body/0/layer is required');
    const notArray = await post('/api/features', { modelId: 'gpt2-small', layer: '6-res-jb', index: 1 });
    expect(notArray.statusCode).toBe(400);
  });
});

describe('POST /api/activation/get', () => {
  it('returns all activations of the feature, strongest first', async () => {
    const res = await post('/api/activation/get', { modelId: 'gpt2-small', source: '6-res-jb', index: '2' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toHaveLength(6);
    expect(shapeMismatches(body[0], ACTIVATION_FIELDS)).toEqual([]);
    expect(body[0]).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', index: '2', source: '6-res-jb' });
    expect(body[0].maxValue).toBeGreaterThanOrEqual(body[5].maxValue);
  });

  it('answers 404 for a feature without activations and for a private source', async () => {
    for (const payload of [
      { modelId: 'gpt2-small', source: '6-res-jb', index: 4242 },
      { modelId: 'secret-model', source: '0-priv', index: 0 },
    ]) {
      const res = await post('/api/activation/get', payload);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('requires modelId, source and index', async () => {
    const res = await post('/api/activation/get', { modelId: 'gpt2-small', index: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('body/source is required');
    const bodiless = await ctx.app.inject({ method: 'POST', url: '/api/activation/get' });
    expect(bodiless.statusCode).toBe(400);
    expect(bodiless.json().code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /api/source-set/{modelId}/{name}', () => {
  it('returns the source set with its sources by layer, its release and its model', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/source-set/gpt2-small/res-jb' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(shapeMismatches(body, SOURCE_SET_FIELDS)).toEqual([]);
    expect(shapeMismatches(body.model, MODEL_FIELDS, 'model.')).toEqual([]);
    expect(body.sources.map((s: { id: string }) => s.id)).toEqual(['6-res-jb', '7-res-jb']);
    expect(shapeMismatches(body.sources[0], SOURCE_FIELDS)).toEqual([]);
    expect(body.releases).toMatchObject({ name: 'gpt2sm-res-jb', creatorName: 'Joseph Bloom' });
  });

  it('answers 404 for unknown and private sets alike', async () => {
    const unknown = await ctx.app.inject({ method: 'GET', url: '/api/source-set/gpt2-small/nope' });
    const hidden = await ctx.app.inject({ method: 'GET', url: '/api/source-set/secret-model/priv' });
    expect(unknown.statusCode).toBe(404);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().code).toBe('NOT_FOUND');
  });

  it('reads an UNLISTED set by name but does not list its UNLISTED sources to others', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/source-set/hidden-model/unl' });
    expect(res.statusCode).toBe(200);
    expect(res.json().sources).toEqual([]);
  });
});

describe('GET /api/models', () => {
  it('lists public models with their source sets, sources and feature counts', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/models' });
    expect(res.statusCode).toBe(200);
    const { models } = res.json();
    expect(models.map((m: { id: string }) => m.id)).toEqual(['gpt2-small']);
    const [set] = models[0].sourceSets;
    expect(set.name).toBe('res-jb');
    expect(set.featureCount).toBe(7);
    expect(set.sources.map((s: { id: string; featureCount: number }) => [s.id, s.featureCount])).toEqual([
      ['6-res-jb', 5],
      ['7-res-jb', 2],
    ]);
  });
});
