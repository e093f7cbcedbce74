// A models folder in the engine's layout over the committed tiny fixtures (symlinks, no copies):
// tiny-gpt2 with source set `res-std` (1-res-std = standard-6x at blocks.1.hook_resid_pre,
// 3-res-std = jumprelu-6x at blocks.2.hook_resid_post) and `2-res-topk` = topk-6x.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { EngineStatus } from '../../src/engine/registry.js';
import { inProcessEngine, workerEngine, type Engine } from '../../src/engine/worker/host.js';
import { expected, modelDir, saeDir } from './fixtures.js';

export const SOURCES: Record<string, string> = { '1-res-std': 'standard-6x', '3-res-std': 'jumprelu-6x', '2-res-topk': 'topk-6x' };

export function makeModelsDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'engine-models-'));
  const model = join(dir, 'tiny-gpt2');
  mkdirSync(join(model, 'saes'), { recursive: true });
  for (const f of ['config.json', 'model.safetensors']) symlinkSync(join(modelDir('tiny-gpt2'), f), join(model, f));
  for (const [source, id] of Object.entries(SOURCES)) symlinkSync(saeDir(id), join(model, 'saes', source));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An engine over a fresh models folder for the enclosing describe block (in process, or in a
 * worker thread as the server runs it), closed and removed after it.
 */
export function useEngine(kind: 'in-process' | 'worker', limits = { tokenLimit: 400, maxTokens: 1024 }) {
  let models: ReturnType<typeof makeModelsDir> | undefined;
  let engine: Engine | undefined;
  beforeAll(() => {
    models = makeModelsDir();
    engine = kind === 'worker' ? workerEngine({ modelsDir: models.dir, limits }) : inProcessEngine({ modelsDir: models.dir, limits });
  });
  afterAll(async () => {
    await engine?.close();
    models?.remove();
  });
  return {
    call: (...args: Parameters<Engine['call']>) => engine!.call(...args),
    status: async () => (await engine!.call('status', {})) as EngineStatus,
  };
}

/** The prompt the SAE fixtures were computed on (the engine prepends the BOS itself). */
export const SAE_PROMPT = expected.prompts[2]!.text;

/** Reference activations `[T][d_sae]` of a source on SAE_PROMPT. */
export const actsOf = (source: string): number[][] => expected.saes[SOURCES[source]!]!.acts;

/**
 * Upstream's /v1/activation/all ranking, from the reference activations: per source the top
 * `n` by max (or by the sum at `sortBy`), stable; merged across sources, earlier sources first on ties.
 */
export function rankAll(sources: string[], n: number, ignoreBos: boolean, sortBy: number[] = []) {
  let top: { source: string; index: number; values: number[]; maxValue: number; maxValueIndex: number; key: number }[] = [];
  for (const source of sources) {
    const acts = actsOf(source).map((row, t) => (ignoreBos && t === 0 ? row.map(() => 0) : row));
    const rows = acts[0]!.map((_, index) => {
      const values = acts.map((row) => row[index]!);
      const maxValue = Math.max(...values);
      const sum = sortBy.reduce((s, t) => s + values[t]!, 0);
      return { source, index, values, maxValue, maxValueIndex: values.indexOf(maxValue), key: sortBy.length ? sum : maxValue };
    });
    rows.sort((a, b) => b.key - a.key);
    top = [...top, ...rows.slice(0, n)].sort((a, b) => b.key - a.key).slice(0, n);
  }
  return top;
}
