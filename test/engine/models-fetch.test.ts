// `npm run models -- fetch/list` against the stand-in hub over HTTP: the engine's layout, resume
// after a cut connection (Range from the partial file's length), a wrong checksum refused, a file
// missing on the hub named clearly, and the listing's memory cost read from the headers.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatListing, listModelsFolder } from '../../src/engine/models-folder.js';
import { Registry } from '../../src/engine/registry.js';
import { fetchModel } from '../../src/upstream/model-fetch.js';
import { startHubDouble, type HubDouble } from '../doubles/hf-hub.js';
import { modelDir, saeDir } from './fixtures.js';

const GPT2 = 'openai-community/gpt2';
const RES_JB = 'jbloom/GPT2-Small-SAEs-Reformatted';
let hub: HubDouble;
let dir: string;
const settings = () => ({ endpoint: hub.url, token: undefined, timeoutMs: 5000 });
const modelFile = readFileSync(join(modelDir('tiny-gpt2'), 'model.safetensors'));
const saeFile = readFileSync(join(saeDir('standard-6x'), 'sae_weights.safetensors'));

beforeAll(async () => {
  hub = await startHubDouble();
  hub.files.set(`${GPT2}/config.json`, readFileSync(join(modelDir('tiny-gpt2'), 'config.json')));
  hub.files.set(`${GPT2}/model.safetensors`, modelFile);
  for (const hook of ['blocks.6.hook_resid_pre', 'blocks.11.hook_resid_post']) {
    hub.files.set(`${RES_JB}/${hook}/cfg.json`, readFileSync(join(saeDir('standard-6x'), 'cfg.json')));
    hub.files.set(`${RES_JB}/${hook}/sae_weights.safetensors`, saeFile);
  }
  dir = mkdtempSync(join(tmpdir(), 'models-fetch-'));
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run models -- fetch', () => {
  it('fetches a model and single sources into the layout the engine reads, then skips what is there', async () => {
    const report = await fetchModel(settings(), dir, 'gpt2-small', ['6-res-jb', '12-res-jb']);
    expect(report.fetched).toEqual([
      'gpt2-small/config.json',
      'gpt2-small/model.safetensors',
      'gpt2-small/saes/6-res-jb/cfg.json',
      'gpt2-small/saes/6-res-jb/sae_weights.safetensors',
      'gpt2-small/saes/12-res-jb/cfg.json',
      'gpt2-small/saes/12-res-jb/sae_weights.safetensors',
    ]);
    expect(readFileSync(join(dir, 'gpt2-small/model.safetensors')).equals(modelFile)).toBe(true);
    const registry = new Registry(dir);
    expect(registry.sourceSet('gpt2-small', 'res-jb')).toEqual(['6-res-jb', '12-res-jb']);
    const { model } = await registry.model('gpt2-small');
    expect(model.config.nLayer).toBeGreaterThan(0);
    expect((await registry.sae('gpt2-small', '12-res-jb')).cfg.dSae).toBeGreaterThan(0);

    const before = hub.requests.length;
    const again = await fetchModel(settings(), dir, 'gpt2-small', ['6-res-jb']);
    expect(again.fetched).toEqual([]);
    expect(again.present).toHaveLength(4);
    expect(hub.requests.slice(before).every((r) => !r.url.startsWith('/cdn/'))).toBe(true); // HEADs only
  });

  it('lists each model and SAE with its memory cost (float32 values, whatever the dtype on disk)', () => {
    const entries = listModelsFolder(dir);
    expect(entries.map((e) => e.name)).toEqual(['gpt2-small', 'gpt2-small/6-res-jb', 'gpt2-small/12-res-jb']);
    // The tiny model keeps its embedding in f16: in memory it takes more than on disk.
    expect(entries[0]!.memoryBytes).toBeGreaterThan(entries[0]!.diskBytes);
    expect(entries[1]!.memoryBytes).toBeGreaterThan(0);
    const text = formatListing(dir, entries);
    expect(text).toMatch(/gpt2-small\/6-res-jb\s+[\d.]+ [KM]B\s+[\d.]+ [KM]B/);
    expect(text).toMatch(/^total/m);
  });

  it('resumes a cut download with Range from the partial file', async () => {
    const dest = join(dir, 'gpt2-small/model.safetensors');
    unlinkSync(dest);
    hub.cutAfter = 100_000;
    await expect(fetchModel(settings(), dir, 'gpt2-small', [])).rejects.toThrow(/cut|of \d+ bytes/);
    expect(existsSync(dest)).toBe(false);
    const have = statSync(`${dest}.part`).size;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThan(modelFile.length);

    const before = hub.requests.length;
    const sentBefore = hub.bytesSent;
    await fetchModel(settings(), dir, 'gpt2-small', []);
    const ranged = hub.requests.slice(before).filter((r) => r.url.startsWith('/cdn/'));
    expect(ranged.map((r) => r.range)).toEqual([`bytes=${have}-`]);
    expect(hub.bytesSent - sentBefore).toBe(modelFile.length - have);
    expect(readFileSync(dest).equals(modelFile)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('refuses a file whose sha256 differs from the hub checksum, keeping nothing of it', async () => {
    hub.etags.set(`${RES_JB}/blocks.11.hook_resid_post/sae_weights.safetensors`, 'ab'.repeat(32));
    rmSync(join(dir, 'gpt2-small/saes/12-res-jb'), { recursive: true });
    await expect(fetchModel(settings(), dir, 'gpt2-small', ['12-res-jb'])).rejects.toThrow(/checksum mismatch.*removed/);
    const dest = join(dir, 'gpt2-small/saes/12-res-jb/sae_weights.safetensors');
    expect(existsSync(dest) || existsSync(`${dest}.part`)).toBe(false);
    hub.etags.clear();
  });

  it('names a file missing on the hub and an unknown set', async () => {
    await expect(fetchModel(settings(), dir, 'gpt2-small', ['7-res-jb'])).rejects.toThrow(
      `${RES_JB}/blocks.7.hook_resid_pre/cfg.json is not on the hub at ${hub.url} (HTTP 404)`,
    );
    await expect(fetchModel(settings(), dir, 'gpt2-small', ['res-nope'])).rejects.toThrow(/Unknown SAE set or source res-nope.*res-jb/);
    await expect(fetchModel(settings(), dir, 'llama-9', [])).rejects.toThrow(/Unknown model llama-9.*gpt2-small/);
  });
});
