// Greedy generation, plain and steered (each method × hook kind, SAE features with folded decoder
// rows, several specs, EOS stop), against token ids the torch reference decoded by full
// recomputation: the engine's KV-cache loop must give the same ids.
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/engine/generate.js';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { Sae } from '../../src/engine/sae.js';
import { steeringHook, type SteerSpec } from '../../src/engine/steer.js';
import { expected, expectLogits, modelDir, saeDir, type FixtureSteer } from './fixtures.js';

let model: Gpt2;
const saes = new Map<string, Sae>();
beforeAll(async () => {
  model = await Gpt2.load(modelDir('tiny-gpt2'));
  for (const id of ['standard-6x', 'jumprelu-6x', 'standard-hookz-6x']) saes.set(id, await Sae.load(saeDir(id)));
});

function toSpec(s: FixtureSteer): SteerSpec {
  const sae = s.sae ? saes.get(s.sae)! : undefined;
  return {
    hook: sae ? sae.cfg.hookName : s.hook!,
    vector: sae ? sae.decoderVector(s.index!) : Float32Array.from(s.vector!),
    coefficient: s.strength * s.strengthMultiplier,
    method: s.method,
    normalize: s.normalize,
  };
}

describe('greedy generation', () => {
  it.each(expected.generation.map((g) => [g.name, g] as const))('%s', (_, g) => {
    const hook = g.steers.length ? steeringHook(g.steers.map(toSpec), model.config.nLayer, model.config.dModel) : undefined;
    expectLogits(model.forward(g.ids, { hook, logits: 'last' }), model.config.vocabSize, g.prefill);
    expect(generate(model, g.ids, { maxNew: g.maxNew, hook })).toEqual(g.expected);
  });

  it('stops when the signal aborts, and streams each id as it is chosen', () => {
    const g = expected.generation[0]!;
    const controller = new AbortController();
    const seen: number[] = [];
    const ids = generate(model, g.ids, {
      maxNew: g.maxNew,
      signal: controller.signal,
      onToken: (id) => {
        seen.push(id);
        if (seen.length === 3) controller.abort();
      },
    });
    expect(ids).toEqual(g.expected.slice(0, 3));
    expect(seen).toEqual(ids);
  });

  it('samples reproducibly for a seed when temperature > 0', () => {
    const g = expected.generation[0]!;
    const a = generate(model, g.ids, { maxNew: 6, temperature: 1, seed: 16 });
    expect(generate(model, g.ids, { maxNew: 6, temperature: 1, seed: 16 })).toEqual(a);
    expect(a).toHaveLength(6);
  });

  it('refuses hooks it cannot steer and vectors of the wrong width', () => {
    const spec = (hook: string, n = 32): SteerSpec => ({
      hook,
      vector: new Float32Array(n).fill(1),
      coefficient: 1,
      method: 'SIMPLE_ADDITIVE',
      normalize: false,
    });
    expect(() => steeringHook([spec('blocks.1.hook_mlp_out')], 3, 32)).toThrow(/Unsupported steering hook/);
    expect(() => steeringHook([spec('blocks.3.hook_resid_pre')], 3, 32)).toThrow(/Unsupported steering hook/);
    expect(() => steeringHook([spec('blocks.1.hook_resid_pre', 31)], 3, 32)).toThrow(/31 values/);
    expect(() => steeringHook([{ ...spec('blocks.1.hook_resid_pre'), vector: new Float32Array(32), normalize: true }], 3, 32)).toThrow(
      /zero norm/,
    );
  });
});
