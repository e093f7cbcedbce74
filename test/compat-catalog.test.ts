// Models, sources and feature reads of issue 14 over HTTP: model/list, model/get, global, the
// head-* routes (no head data in exports), features-offset, umap, steer/presets; visibility as
// everywhere (a private model is missing to others); saelens/latent-decoder against a stand-in
// Hugging Face hub (HF_ENDPOINT, HF_TOKEN).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explanation, explanationType, neuron } from '../src/db/schema/index.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { expectError } from './fixtures/error-body.js';
import { safetensors, startHubDouble, type HubDouble } from './doubles/hf-hub.js';

let ctx: TestContext;
let hub: HubDouble;
let alice: Awaited<ReturnType<typeof userWithKey>>;
let bob: Awaited<ReturnType<typeof userWithKey>>;
const post = (url: string, payload?: unknown, key?: string) =>
  ctx.app.inject({
    method: 'POST',
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
    headers: key ? { 'x-api-key': key } : {},
  });

beforeAll(async () => {
  hub = await startHubDouble();
  ctx = await buildTestApp({ HF_ENDPOINT: `${hub.url}/`, HF_TOKEN: hub.token });
  alice = await userWithKey(ctx.database.db, 'alice');
  bob = await userWithKey(ctx.database.db, 'bob');
  const db = ctx.database.db;
  await seedSource(db, { features: 12, activationsPerFeature: 1 });
  await seedSource(db, { modelId: 'bob-secret', visibility: 'PRIVATE', creatorId: bob.user.id, features: 1 });
  // Feature 11 is dead (no activations): features-offset leaves it out.
  await db.update(neuron).set({ maxActApprox: 0 }).where(eq(neuron.index, '11'));
  // Two explanations on the UMAP.
  await db
    .update(explanation)
    .set({ umap_x: 1.5, umap_y: -2, umap_cluster: 3 })
    .where(and(eq(explanation.layer, '6-res-jb'), eq(explanation.index, '4')));
  const lookup = { displayName: 'x', description: 'd', creatorName: 'c', creatorId: 'c' };
  await db.insert(explanationType).values([
    { ...lookup, name: 'oai_token-act-pair', displayName: 'OpenAI' },
    { ...lookup, name: 'human' },
  ]);
});
afterAll(async () => {
  await ctx?.close();
  await hub?.close();
});

describe('models', () => {
  it('model/list and global list readable models with sets and sources; private ones only to their owner', async () => {
    const anon = (await post('/api/model/list')).json();
    expect(anon.map((m: { id: string }) => m.id)).toEqual(['gpt2-small']);
    expect(anon[0].sourceSets[0]).toMatchObject({ name: 'res-jb', sources: [{ id: '6-res-jb', setName: 'res-jb' }] });
    expect(anon[0].sourceSets[0].sources[0]).not.toHaveProperty('saelensConfig');
    const bobs = (await post('/api/model/list', undefined, bob.key)).json();
    expect(bobs.map((m: { id: string }) => m.id)).toEqual(['bob-secret', 'gpt2-small']);

    const global = (await post('/api/global')).json();
    expect(Object.keys(global).sort()).toEqual(
      ['explanationModels', 'explanationScoreModelTypes', 'explanationScoreTypes', 'explanationTypes', 'models', 'releases'].sort(),
    );
    expect(global.models.map((m: { id: string }) => m.id)).toEqual(['gpt2-small']);
    // As upstream: featured types only, never "human".
    expect(global.explanationTypes.map((t: { name: string }) => t.name)).toEqual(['oai_token-act-pair']);
  });

  it('model/get answers one model with its sources; 404 for a private model of someone else', async () => {
    const res = await post('/api/model/get', { id: 'gpt2-small' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'gpt2-small', dimension: 768, sourceSets: [{ name: 'res-jb', sources: [{ id: '6-res-jb' }] }] });
    expectError(await post('/api/model/get', { id: 'bob-secret' }, alice.key), 404, 'NOT_FOUND');
    expect((await post('/api/model/get', { id: 'bob-secret' }, bob.key)).json().id).toBe('bob-secret');
    expectError(await post('/api/model/get', {}), 400, 'VALIDATION_ERROR');
  });

  it('head routes: empty for a readable model (exports carry no head data), 404 otherwise', async () => {
    expect((await post('/api/model/head-metrics/list', { modelId: 'gpt2-small' })).json()).toEqual([]);
    expect((await post('/api/model/head-sequences/get', { modelId: 'gpt2-small', layer: 0, headIndex: '1' })).json()).toEqual([]);
    const metrics = await post('/api/model/head-metrics/get', { modelId: 'gpt2-small', layer: 0, headIndex: 1 });
    expectError(metrics, 404, 'NOT_FOUND');
    expect(metrics.json().message).toBe('Head metrics not found');
    expectError(await post('/api/model/head-metrics/list', { modelId: 'bob-secret' }), 404, 'NOT_FOUND');
    expectError(await post('/api/model/head-sequences/get', { modelId: 'gpt2-small', layer: 'x', headIndex: 1 }), 400, 'VALIDATION_ERROR');
  });
});

describe('feature reads', () => {
  it('features-offset pages 25 live features in natural order (2 before 10)', async () => {
    const page = (await post('/api/features-offset', { modelId: 'gpt2-small', layer: '6-res-jb', offset: 0 })).json();
    expect(page.map((f: { index: string }) => f.index)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(page[0].activations).toHaveLength(1);
    expect(page[0].explanations.length).toBeGreaterThan(0);
    const later = (await post('/api/features-offset', { modelId: 'gpt2-small', layer: '6-res-jb', offset: 9 })).json();
    expect(later.map((f: { index: string }) => f.index)).toEqual(['9', '10']);
    expectError(await post('/api/features-offset', { modelId: 'bob-secret', layer: '6-res-jb' }), 404, 'NOT_FOUND');
  });

  it('umap answers the explanations with coordinates, by source', async () => {
    const res = (await post('/api/umap', { modelId: 'gpt2-small', layers: ['6-res-jb'] })).json();
    expect(Object.keys(res)).toEqual(['6-res-jb']);
    expect(res['6-res-jb']).toHaveLength(2);
    expect(res['6-res-jb'][0]).toMatchObject({ index: '4', umap_x: 1.5, umap_y: -2, umap_cluster: 3 });
    expectError(await post('/api/umap', { modelId: 'bob-secret', layers: ['6-res-jb'] }, alice.key), 404, 'NOT_FOUND');
  });
});

describe('steer/presets', () => {
  it("answers upstream's fixed presets, the caller's vectors first, and 404 Model Not Found", async () => {
    const anon = (await post('/api/steer/presets', { modelId: 'gpt2-small' })).json();
    expect(anon.model.id).toBe('gpt2-small');
    expect(anon.defaultPrompt).toBe('');
    const fixed = anon.featurePresets.length;
    expect(fixed).toBeGreaterThan(0); // upstream has gpt2-small presets
    const vector = Array.from({ length: 768 }, (_, i) => (i % 7) / 7);
    const made = await post(
      '/api/vector/new',
      { modelId: 'gpt2-small', layerNumber: 6, hookType: 'hook_resid_pre', vector, vectorDefaultSteerStrength: 12, vectorLabel: 'mine' },
      alice.key,
    );
    expect(made.statusCode).toBe(200);
    const mine = (await post('/api/steer/presets', { modelId: 'gpt2-small' }, alice.key)).json();
    expect(mine.featurePresets).toHaveLength(fixed + 1);
    expect(mine.featurePresets[0]).toMatchObject({
      name: 'mine',
      isUserVector: true,
      features: [{ modelId: 'gpt2-small', layer: '6-neuronpedia-resid-pre', explanation: 'mine', strength: 12, hasVector: true }],
    });
    expect((await post('/api/steer/presets', { modelId: 'gpt2-small' }, bob.key)).json().featurePresets).toHaveLength(fixed);
    const missing = await post('/api/steer/presets', { modelId: 'bob-secret' }, alice.key);
    expectError(missing, 404, 'NOT_FOUND');
    expect(missing.json().message).toBe('Model Not Found');
  });
});

describe('saelens/latent-decoder', () => {
  const REPO = 'jbloom/GPT2-Small-SAEs-Reformatted';
  const PATH = 'blocks.0.hook_resid_pre/sae_weights.safetensors';
  const url = (repo: string, path: string, index: string) =>
    `/api/saelens/latent-decoder?repo=${encodeURIComponent(repo)}&path=${encodeURIComponent(path)}&index=${index}`;
  const get = (u: string) => ctx.app.inject({ method: 'GET', url: u });
  // W_dec is 4 latents × 3; row i is [i, -i/2, 0.25 + i]. b_dec comes first, so W_dec's offset is not 0.
  const rows = [0, 1, 2, 3].map((i) => [i, -i / 2, 0.25 + i]);
  const f32 = Buffer.from(new Float32Array(rows.flat()).buffer);
  // Exactly representable in 16 bits: 1 = 0x3c00 (F16) / 0x3f80 (BF16), -0.5 = 0xb800 / 0xbf00, 2.25 = 0x4080 / 0x4010.
  const halves = (words: number[]) => Buffer.from(new Uint16Array([0, 0, 0, ...words, 0, 0, 0, 0, 0, 0]).buffer);

  beforeAll(() => {
    const bDec = { dtype: 'F32', shape: [3], data: Buffer.alloc(12) };
    hub.files.set(`${REPO}/${PATH}`, safetensors({ b_dec: bDec, W_dec: { dtype: 'F32', shape: [4, 3], data: f32 } }));
    hub.files.set(
      `${REPO}/f16/sae_weights.safetensors`,
      safetensors({ W_dec: { dtype: 'F16', shape: [4, 3], data: halves([0x3c00, 0xb800, 0x4080]) } }),
    );
    hub.files.set(
      `${REPO}/bf16/sae_weights.safetensors`,
      safetensors({ W_dec: { dtype: 'BF16', shape: [4, 3], data: halves([0x3f80, 0xbf00, 0x4010]) } }),
    );
    hub.files.set(`${REPO}/nodec/sae_weights.safetensors`, safetensors({ W_enc: { dtype: 'F32', shape: [3, 4], data: f32 } }));
    hub.gated.add('gated/repo');
    hub.files.set(`gated/repo/${PATH}`, safetensors({ W_dec: { dtype: 'F32', shape: [4, 3], data: f32 } }));
  });

  it('reads one W_dec row with three ranged requests (through the hub’s redirect), HF_TOKEN as bearer', async () => {
    hub.requests.length = 0;
    hub.bytesSent = 0;
    const res = await get(url(REPO, PATH, '2'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ repo: REPO, path: PATH, index: 2, dtype: 'F32', num_latents: 4, d_model: 3, values: [2, -1, 2.25] });
    const ranged = hub.requests.filter((r) => r.url.startsWith('/cdn/'));
    const headerSize = hub.files.get(`${REPO}/${PATH}`)!.readUInt32LE(0);
    expect(ranged.map((r) => r.range)).toEqual([
      'bytes=0-7',
      `bytes=8-${8 + headerSize - 1}`,
      `bytes=${8 + headerSize + 12 + 2 * 12}-${8 + headerSize + 12 + 3 * 12 - 1}`,
    ]);
    expect(hub.requests[0]).toMatchObject({ url: `/${REPO}/resolve/main/${PATH}`, authorization: `Bearer ${hub.token}` });
    expect(hub.bytesSent).toBe(8 + headerSize + 12);
    // A gated repo is read with the token.
    expect((await get(url('gated/repo', PATH, '3'))).json().values).toEqual([3, -1.5, 3.25]);
  });

  it('decodes F16 and BF16 rows to numbers', async () => {
    for (const dtype of ['f16', 'bf16']) {
      const res = await get(url(REPO, `${dtype}/sae_weights.safetensors`, '1'));
      expect(res.json()).toMatchObject({ dtype: dtype.toUpperCase(), values: [1, -0.5, 2.25] });
    }
  });

  it("answers upstream's 400 messages; a hub that ignores Range is 502 with one file's prefix read", async () => {
    const message = async (u: string) => {
      const res = await get(u);
      expectError(res, 400, 'BAD_REQUEST');
      return res.json().message as string;
    };
    expect(await message(url(REPO, 'missing/sae_weights.safetensors', '0'))).toBe(
      'Failed to access safetensors file (HTTP 404). Check repo/path.',
    );
    expect(await message(url(REPO, PATH, '4'))).toBe('index 4 out of range [0, 3]');
    expect(await message(url(REPO, 'nodec/sae_weights.safetensors', '0'))).toBe(
      'Decoder tensor "W_dec" not found in this safetensors file (format=SAELens)',
    );
    expect(await message(url(REPO, 'cfg.json', '0'))).toBe('path must point to a .safetensors file');
    const before = hub.requests.length;
    expect(await message(url(REPO, '../../other/x.safetensors', '0'))).toBe("path may only contain letters, digits, '.', '_', '-' and '/'");
    expect(await message(url('a/b?x=1', PATH, '0'))).toBe("repo may only contain letters, digits, '.', '_', '-' and '/'");
    expect(hub.requests.length).toBe(before);
    expectError(await get(url(REPO, PATH, '-1')), 400, 'VALIDATION_ERROR');
    expectError(await get(`/api/saelens/latent-decoder?repo=${REPO}`), 400, 'VALIDATION_ERROR');

    hub.ignoreRange = true;
    try {
      const res = await get(url(REPO, PATH, '0'));
      expectError(res, 502, 'UPSTREAM_ERROR');
      expect(res.json().message).toContain('ignored the byte range');
    } finally {
      hub.ignoreRange = false;
    }
  });
});
