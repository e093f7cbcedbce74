// An attention-output SAE (reshape_activations hook_z: it reads the heads' z concatenated, the
// input of c_proj) served end to end: search-all and single activations against the torch
// reference, and steering by one of its features (added to z at every position) giving the
// reference's greedy text.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';
import { inProcessEngine, type Engine } from '../../src/engine/worker/host.js';
import { expected, maxAbsDiff, saeDir, steerRequest, TOLERANCE } from './fixtures.js';
import { makeModelsDir, SAE_PROMPT } from './models-dir.js';

const limits = { tokenLimit: 400, maxTokens: 1024 };
const ref = expected.saes['standard-hookz-6x']!;
const text = (ids: number[]) => ids.map((id) => gpt2Tokenizer().tokenStrings([id])[0]).join('');

describe('hook_z SAE', () => {
  let models: ReturnType<typeof makeModelsDir>;
  let engine: Engine;
  beforeAll(() => {
    models = makeModelsDir();
    symlinkSync(saeDir('standard-hookz-6x'), join(models.dir, 'tiny-gpt2', 'saes', '1-att-z'));
    engine = inProcessEngine({ modelsDir: models.dir, limits });
  });
  afterAll(() => models?.remove());

  it('reads blocks.1.attn.hook_z, concatenated over heads', () => {
    expect([ref.hook, ref.architecture]).toEqual(['blocks.1.attn.hook_z', 'standard']);
  });

  it('search-all ranks its features by their activations on z', async () => {
    const res = (await engine.call('all', {
      model: 'tiny-gpt2',
      sourceSet: 'att-z',
      selectedSources: [],
      sortByTokenIndexes: [],
      ignoreBos: true,
      numResults: 10,
      prompt: SAE_PROMPT,
    })) as { activations: { source: string; index: number; values: number[]; maxValue: number }[] };
    const acts = ref.acts.map((row, t) => (t === 0 ? row.map(() => 0) : row));
    const want = acts[0]!
      .map((_, f) => ({ index: f, values: acts.map((row) => row[f]!) }))
      .map((r) => ({ ...r, maxValue: Math.max(...r.values) }))
      .sort((a, b) => b.maxValue - a.maxValue)
      .slice(0, 10);
    expect(want[0]!.maxValue).toBeGreaterThan(0);
    expect(res.activations.map((r) => `${r.source}/${r.index}`)).toEqual(want.map((r) => `1-att-z/${r.index}`));
    for (const [i, r] of res.activations.entries()) expect(maxAbsDiff(r.values, want[i]!.values)).toBeLessThan(TOLERANCE);
  });

  it('single gives one feature over the prompt (BOS dropped)', async () => {
    const index = ref.acts[1]!.indexOf(Math.max(...ref.acts[1]!));
    const res = (await engine.call('single', { model: 'tiny-gpt2', source: '1-att-z', index, prompt: SAE_PROMPT })) as {
      activation: { values: number[] };
    };
    expect(
      maxAbsDiff(
        res.activation.values,
        ref.acts.slice(1).map((row) => row[index]!),
      ),
    ).toBeLessThan(TOLERANCE);
  });

  it('steering by a feature adds its decoder row to z, giving the reference greedy text', async () => {
    const g = expected.generation.find((c) => c.name === 'hook_z SAE feature (standard-hookz-6x)')!;
    const s = g.steers[0]!;
    const defaultIds = expected.generation.find((c) => c.name === 'default')!.expected;
    expect(g.expected).not.toEqual(defaultIds);
    const res = (await engine.call(
      'steer',
      steerRequest(g, {
        features: [{ model: 'tiny-gpt2', source: '1-att-z', index: s.index, strength: s.strength }],
        types: ['STEERED', 'DEFAULT'],
      }),
    )) as { outputs: { type: string; output: string }[] };
    expect(res.outputs.map((o) => o.output)).toEqual([text(g.expected), text(defaultIds)]);
  });
});
