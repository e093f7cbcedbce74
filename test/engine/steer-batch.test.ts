// Concurrent steering requests generate together (worker/steer-batch.ts): one packed pass per
// round computes every live generation's next step, each with its own cache and steering hook. The
// answers (text, logprobs, frames) equal those of each request alone and the torch reference's
// greedy ids; a request arriving mid-generation joins; cancelling one leaves the others whole.
import { describe, expect, it } from 'vitest';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { steeringHook } from '../../src/engine/steer.js';
import { gpt2Tokenizer } from '../../src/engine/tokenizer.js';
import { expectClose, expected, maxAbsDiff, modelDir, steerRequest } from './fixtures.js';
import { useEngine } from './models-dir.js';

const limits = { tokenLimit: 400, maxTokens: 1024 };
const text = (ids: number[]) => ids.map((id) => gpt2Tokenizer().tokenStrings([id])[0]).join('');
const byVectors = expected.generation.filter((g) => g.steers.length > 0 && g.steers.every((s) => s.vector));
type Output = { type: string; output: string; logprobs: unknown };

const request = (g: (typeof expected.generation)[number], extra: Record<string, unknown> = {}) =>
  steerRequest(g, { vectors: g.steers.map((v) => ({ hook: v.hook, steeringVector: v.vector, strength: v.strength })), ...extra });

describe('packed generation steps', () => {
  it('gives each generation the logits of its own forward, under its own hook', async () => {
    const model = await Gpt2.load(modelDir('tiny-gpt2'));
    const cases = byVectors.slice(0, 3);
    const hooks = cases.map((g) =>
      steeringHook(
        g.steers.map((s) => ({
          hook: s.hook!,
          vector: Float32Array.from(s.vector!),
          coefficient: s.strength * s.strengthMultiplier,
          method: s.method,
          normalize: s.normalize,
        })),
        model.config.nLayer,
        model.config.dModel,
      ),
    );
    const alone = cases.map(() => model.newCache());
    const packed = cases.map(() => model.newCache());
    // Prefill of different lengths, then two decode steps, each round packed.
    const rounds = [cases.map((g, i) => g.ids.slice(0, 2 + i)), cases.map(() => [11]), cases.map((_, i) => [200 + i])];
    for (const ids of rounds) {
      const got = model.forwardSteps(ids.map((x, i) => ({ ids: x, cache: packed[i]!, hook: hooks[i] })));
      ids.forEach((x, i) => {
        const want = model.forward(x, { cache: alone[i]!, hook: hooks[i], logits: 'last' });
        expect(maxAbsDiff(got[i]!, want)).toBeLessThan(1e-5);
      });
    }
    expect(packed.map((c) => c.length)).toEqual(alone.map((c) => c.length));
  });
});

describe.each(['in-process', 'worker'] as const)('steering batched (%s engine)', (kind) => {
  const engine = useEngine(kind, limits);
  const { status } = engine;

  it('answers concurrent requests as each alone, with the reference greedy text', async () => {
    const bodies = [
      ...byVectors.slice(0, 6).map((g) => request(g)),
      request(byVectors[1]!, { types: ['STEERED', 'DEFAULT'], nLogprobs: 3 }),
      request(byVectors.find((g) => g.name === 'EOS stop')!),
      request(byVectors[2]!, { temperature: 0.8, seed: 5, nCompletionTokens: 20 }),
    ];
    const alone: { outputs: Output[] }[] = [];
    for (const b of bodies) alone.push((await engine.call('steer', b)) as { outputs: Output[] });
    const together = (await Promise.all(bodies.map((b) => engine.call('steer', b)))) as { outputs: Output[] }[];
    // A worker receives the requests as separate messages: on a loaded machine one may land after
    // the others have finished; in process they are all queued in the same tick.
    const { largestBatch } = (await status()).steer;
    if (kind === 'in-process') expect(largestBatch).toBe(bodies.length);
    else expect(largestBatch).toBeGreaterThan(1);
    together.forEach((t, i) => expectClose(t, alone[i], `request ${i}`));
    expect(together[6]!.outputs.map((o) => (o.logprobs as unknown[]).length)).toEqual([byVectors[1]!.maxNew, 8]);
    byVectors.slice(0, 6).forEach((g, i) => expect(together[i]!.outputs[0]!.output, g.name).toBe(text(g.expected)));
    expect(together[7]!.outputs[0]!.output.endsWith('<|endoftext|>')).toBe(true);
  });

  it('takes in a request that arrives mid-generation; a cancelled one stops alone', async () => {
    const long = request(byVectors[0]!, { nCompletionTokens: 60 });
    const wanted = (await engine.call('steer', long)) as { outputs: Output[] };
    const joinerWanted = (await engine.call('steer', request(byVectors[3]!))) as { outputs: Output[] };
    const controller = new AbortController();
    let joiner: Promise<unknown> | undefined;
    let frames = 0;
    const cancelled = engine.call(
      'steer',
      long,
      () => {
        if (++frames === 3) controller.abort();
      },
      controller.signal,
    );
    const order: string[] = [];
    const whole = engine.call('steer', long, () => {
      joiner ??= engine.call('steer', request(byVectors[3]!)).then((answer) => {
        order.push('joiner');
        return answer;
      });
    });
    void whole.then(() => order.push('whole'));
    const [c, w] = (await Promise.all([cancelled, whole])) as { outputs: Output[] }[];
    expect((await joiner) as { outputs: Output[] }).toEqual(joinerWanted);
    // It generated beside the long one (8 tokens against 60), not after it.
    expect(order).toEqual(['joiner', 'whole']);
    expect(w).toEqual(wanted);
    expect(c!.outputs[0]!.output.length).toBeLessThan(wanted.outputs[0]!.output.length);
    expect(wanted.outputs[0]!.output.startsWith(c!.outputs[0]!.output)).toBe(true);
  });
});
