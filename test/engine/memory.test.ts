// ENGINE_MEMORY_MB over HTTP: SAEs load on first use and the least recently used one is unloaded
// when the next would not fit (the engine worker's own status says which it holds), answers stay
// right after a reload, and a model or SAE that is absent, half-fetched or too big gets a clear 400.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedBytes } from '../../src/engine/models-folder.js';
import { buildEngineServer } from '../../src/engine/server/app.js';
import { modelDir, saeDir } from './fixtures.js';
import { makeModelsDir, SOURCES } from './models-dir.js';

const MB = 1024 * 1024;
const bytes = (source: string) => loadedBytes(join(saeDir(SOURCES[source]!), 'sae_weights.safetensors'));
const modelBytes = loadedBytes(join(modelDir('tiny-gpt2'), 'model.safetensors'));
let models: ReturnType<typeof makeModelsDir>;
const servers: FastifyInstance[] = [];

async function engine(memoryMb: number) {
  const app = await buildEngineServer({ modelsDir: models.dir, memoryMb });
  servers.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const status = async () =>
    (await (await fetch(`${url}/v1/engine/status`)).json()) as { saes: string[]; unloadedSaes: number; usedMb: number };
  return { post, status };
}

beforeAll(() => {
  models = makeModelsDir();
  // A model folder and an SAE folder whose weights never arrived (a fetch that was cut).
  mkdirSync(join(models.dir, 'half-model'));
  symlinkSync(join(modelDir('tiny-gpt2'), 'config.json'), join(models.dir, 'half-model', 'config.json'));
  mkdirSync(join(models.dir, 'tiny-gpt2', 'saes', '5-res-std'));
  writeFileSync(join(models.dir, 'tiny-gpt2', 'saes', '5-res-std', 'cfg.json'), '{}');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  models?.remove();
});

describe('ENGINE_MEMORY_MB', () => {
  it('unloads the least recently used SAE to fit the next, and reloads it on demand', async () => {
    // Room for the model and the two larger SAEs, not all three.
    const sizes = ['1-res-std', '3-res-std', '2-res-topk'].map(bytes).sort((a, b) => a - b);
    const { post, status } = await engine((modelBytes + sizes[1]! + sizes[2]! + 16) / MB);
    const vector = (source: string) => post('/v1/util/sae-vector', { model: 'tiny-gpt2', source, index: 3 });
    const first = await vector('1-res-std');
    expect(first.status).toBe(200);
    await vector('3-res-std');
    await vector('1-res-std'); // 1 is now more recent than 3
    expect((await status()).saes).toEqual(['tiny-gpt2/3-res-std', 'tiny-gpt2/1-res-std']);
    await vector('2-res-topk');
    const after = await status();
    expect(after.saes).toEqual(['tiny-gpt2/1-res-std', 'tiny-gpt2/2-res-topk']); // 3 went, not 1
    expect(after.unloadedSaes).toBe(1);
    expect(after.usedMb * MB).toBeLessThanOrEqual(modelBytes + sizes[1]! + sizes[2]! + 16 + 0.001 * MB); // status rounds to 0.001 MB
    // Reloaded, the same answer.
    await vector('3-res-std');
    expect((await vector('1-res-std')).body).toEqual(first.body);
    expect((await status()).unloadedSaes).toBeGreaterThanOrEqual(2);
  });

  it('refuses a model that cannot fit with a message naming the setting', async () => {
    const { post } = await engine(1);
    const res = await post('/v1/util/sae-vector', { model: 'tiny-gpt2', source: '1-res-std', index: 0 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(
      /^The engine cannot load model tiny-gpt2: it needs [\d.]+ MB and ENGINE_MEMORY_MB is 1 .*Raise ENGINE_MEMORY_MB\.$/,
    );
  });

  it('says which model or SAE is missing and how to fetch it', async () => {
    const { post } = await engine(1024);
    const missing = await post('/v1/util/sae-vector', { model: 'tiny-gpt2', source: '9-res-std', index: 0 });
    expect(missing).toEqual({
      status: 400,
      body: {
        error: "Invalid source: 9-res-std (not in the engine's models folder; fetch it with: npm run models -- fetch tiny-gpt2 9-res-std)",
      },
    });
    const half = await post('/v1/util/sae-vector', { model: 'tiny-gpt2', source: '5-res-std', index: 0 });
    expect(half.status).toBe(400);
    expect(half.body.error).toMatch(
      /^SAE tiny-gpt2\/5-res-std has no sae_weights.safetensors in .*5-res-std; fetch it with: npm run models -- fetch tiny-gpt2 5-res-std$/,
    );
    const noWeights = await post('/v1/tokenize', { model: 'half-model', text: 'hi' });
    expect(noWeights.status).toBe(400);
    expect(noWeights.body.error).toMatch(
      /^Model half-model has no model.safetensors in .*; fetch it with: npm run models -- fetch half-model$/,
    );
    const unknown = await post('/v1/tokenize', { model: 'gpt2-xl', text: 'hi' });
    expect(unknown.body.error).toBe('Model gpt2-xl is not loaded on this server (loaded: half-model, tiny-gpt2)');
  });
});
