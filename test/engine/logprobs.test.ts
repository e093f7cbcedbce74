// Steering with nLogprobs > 0: each generated token's log-probability and the top n, from the
// step's log_softmax, against the torch reference (scripts/make_tiny_cases.py, full recompute per
// step), for the unsteered and a steered generation; streamed frames carry them as they grow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { tokenLogprob } from '../../src/engine/logprobs.js';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';
import { inProcessEngine, type Engine } from '../../src/engine/worker/host.js';
import { expected, TOLERANCE } from './fixtures.js';
import { makeModelsDir } from './models-dir.js';

const limits = { tokenLimit: 400, maxTokens: 1024 };
const tokenizer = gpt2Tokenizer();
const text = (id: number) => tokenizer.tokenStrings([id])[0]!;

type Output = {
  type: string;
  output: string;
  logprobs: { token: string; logprob: number; topLogprobs: { token: string; logprob: number }[] }[] | null;
};

function request(g: (typeof expected.generation)[number], nLogprobs?: number) {
  const steers = g.steers.length
    ? g.steers
    : [
        {
          hook: 'blocks.1.hook_resid_pre',
          vector: new Array(32).fill(0),
          strength: 0,
          strengthMultiplier: 1,
          method: 'SIMPLE_ADDITIVE',
          normalize: false,
        },
      ];
  return {
    model: 'tiny-gpt2',
    prompt: expected.prompts[1]!.text,
    vectors: steers.map((s) => ({ hook: s.hook, steeringVector: s.vector, strength: s.strength })),
    types: [g.steers.length ? 'STEERED' : 'DEFAULT'],
    nCompletionTokens: g.maxNew,
    temperature: 0,
    strengthMultiplier: steers[0]!.strengthMultiplier,
    freqPenalty: 0,
    seed: 1,
    steerMethod: steers[0]!.method,
    normalizeSteering: steers[0]!.normalize,
    nLogprobs,
  };
}

describe('steer logprobs', () => {
  let models: ReturnType<typeof makeModelsDir>;
  let engine: Engine;
  beforeAll(() => {
    models = makeModelsDir();
    engine = inProcessEngine({ modelsDir: models.dir, limits });
  });
  afterAll(() => models?.remove());

  const cases = expected.generation.filter((g) => g.logprobs);
  it('the reference has logprobs for an unsteered and a steered generation', () => {
    expect(cases.map((g) => g.steers.length > 0)).toEqual([false, true]);
  });

  it.each(cases.map((g) => [g.name, g] as const))('%s: every token, top 5 highest first', async (_, g) => {
    const frames: Output[][] = [];
    const res = (await engine.call('steer', request(g, 5), (f) => frames.push((f as { outputs: Output[] }).outputs))) as {
      outputs: Output[];
    };
    const logprobs = res.outputs[0]!.logprobs!;
    expect(logprobs.length).toBe(g.logprobs!.length);
    for (const [i, want] of g.logprobs!.entries()) {
      const got = logprobs[i]!;
      expect(got.token).toBe(text(want.token));
      expect(Math.abs(got.logprob - want.logprob)).toBeLessThan(TOLERANCE);
      expect(got.topLogprobs.map((t) => t.token)).toEqual(want.top.map(([id]) => text(id)));
      got.topLogprobs.forEach((t, k) => expect(Math.abs(t.logprob - want.top[k]![1])).toBeLessThan(TOLERANCE));
      // Greedy: the chosen token is the most likely one.
      expect(got.logprob).toBe(got.topLogprobs[0]!.logprob);
    }
    // Each frame carries the logprobs of the tokens so far.
    expect(frames.map((f) => f[0]!.logprobs!.length)).toEqual(logprobs.map((_, i) => i + 1));
  });

  it('leaves logprobs null without nLogprobs (or 0), and refuses more than 10', async () => {
    const g = cases[0]!;
    for (const n of [undefined, 0]) {
      const res = (await engine.call('steer', request(g, n))) as { outputs: Output[] };
      expect(res.outputs[0]!.logprobs).toBeNull();
    }
    for (const n of [11, -1, 2.5]) {
      const error = await engine.call('steer', request(g, n)).catch((e: unknown) => e);
      expect(error, String(n)).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('BAD_REQUEST');
    }
  });

  it('writes -100 for a probability of zero, and breaks ties by the lower id', () => {
    const logits = Float32Array.from([0, -Infinity, 2, 2, -Infinity]);
    const got = tokenLogprob(logits, 1, 5, String);
    expect(got.logprob).toBe(-100);
    expect(got.topLogprobs.map((t) => t.token)).toEqual(['2', '3', '0', '1', '4']);
    expect(got.topLogprobs.slice(3).map((t) => t.logprob)).toEqual([-100, -100]);
    expect(got.topLogprobs[0]!.logprob).toBeCloseTo(2 - Math.log(2 * Math.exp(2) + 1), 6);
  });
});
