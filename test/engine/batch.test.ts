// Concurrent requests share forward passes (worker/queue.ts, api/forward-jobs.ts): packed passes
// give every sequence what a pass over it alone gives (and the float64 reference), and batched
// answers equal the answers of the same requests run one at a time.
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { Gpt2 } from '../../src/engine/gpt2.js';
import { MAX_BATCH_ROWS } from '../../src/engine/api/forward-jobs.js';
import { expectClose, expected, maxAbsDiff, modelDir, TOLERANCE } from './fixtures.js';
import { rankAll, SAE_PROMPT, useEngine } from './models-dir.js';

const limits = { tokenLimit: 400, maxTokens: 1024 };

describe('packed forward pass', () => {
  it('gives each sequence its own pass: every hook against the reference and a pass alone', async () => {
    const model = await Gpt2.load(modelDir('tiny-gpt2'));
    const refs = expected.models['tiny-gpt2']!.forward;
    const packed = new Map<string, Float32Array>();
    model.forwardPacked(
      refs.map((r) => r.ids),
      { hook: (name, h) => void packed.set(name, h.slice()) },
    );
    const d = model.config.dModel;
    let row = 0;
    for (const ref of refs) {
      const alone = new Map<string, Float32Array>();
      model.forward(ref.ids, { logits: 'none', hook: (name, h) => void alone.set(name, h.slice()) });
      for (const [hook, values] of Object.entries(ref.hooks)) {
        const mine = packed.get(hook)!.subarray(row * d, (row + ref.ids.length) * d);
        expect(maxAbsDiff(mine, values.flat()), hook).toBeLessThan(TOLERANCE);
        expect(maxAbsDiff(mine, alone.get(hook)!), hook).toBeLessThan(1e-5);
      }
      row += ref.ids.length;
    }
    expect(packed.get('blocks.0.hook_resid_pre')!.length).toBe(row * d);
  });
});

const words = [' the', ' cat', ' sat', ' on', ' a', ' mat', ' and', ' dogs', '!'];
const text = (n: number, shift: number) => Array.from({ length: n }, (_, i) => words[(i * 7 + shift) % words.length]).join('');

/** One of every batchable request, over different prompts. */
function requests(): [op: 'all' | 'topk-by-token' | 'single' | 'source', body: Record<string, unknown>][] {
  const all = { model: 'tiny-gpt2', sourceSet: 'res-std', selectedSources: [], sortByTokenIndexes: [], ignoreBos: true };
  return [
    ['all', { ...all, prompt: SAE_PROMPT }],
    ['all', { ...all, prompt: text(12, 1), numResults: 40 }],
    ['all', { ...all, prompt: text(7, 2), sortByTokenIndexes: [2, 2, 5], ignoreBos: false, selectedSources: ['2-res-topk', '1-res-std'] }],
    ['topk-by-token', { model: 'tiny-gpt2', source: '3-res-std', prompt: text(9, 3), ignoreBos: true, topK: 7 }],
    ['single', { model: 'tiny-gpt2', source: '1-res-std', index: 3, prompt: text(5, 4) }],
    [
      'single',
      {
        model: 'tiny-gpt2',
        vector: Array.from({ length: 32 }, (_, i) => (i % 5) - 2),
        hook: 'blocks.2.hook_resid_mid',
        prompt: text(6, 5),
      },
    ],
    ['source', { model: 'tiny-gpt2', source: '2-res-topk', prompts: [text(4, 6), SAE_PROMPT, text(10, 7)] }],
  ];
}

describe.each(['in-process', 'worker'] as const)('batched requests (%s engine)', (kind) => {
  const engine = useEngine(kind, limits);
  const { status } = engine;

  it('answer concurrent requests from shared passes, as each answers alone', async () => {
    const alone: unknown[] = [];
    for (const [op, body] of requests()) alone.push(await engine.call(op, body));
    const before = await status();
    const together = await Promise.all(requests().map(([op, body]) => engine.call(op, body)));
    const after = await status();
    // In process every request is queued in the same tick: one batch. A worker receives them as
    // separate messages, and on a loaded machine the last may land after the first batch started.
    if (kind === 'in-process') {
      expect(after.batches.count - before.batches.count).toBe(1);
      expect(after.batches.largest).toBe(requests().length);
    } else {
      expect(after.batches.count - before.batches.count).toBeLessThan(requests().length);
      expect(after.batches.largest).toBeGreaterThan(1);
    }
    together.forEach((answer, i) => expectClose(answer, alone[i], `request ${i}`));
    // …and the reference: search-all over the SAE fixtures' prompt.
    const want = rankAll(['1-res-std', '3-res-std'], 25, true);
    const got = (together[0] as { activations: { source: string; index: number; values: number[] }[] }).activations;
    expect(got.map((r) => `${r.source}/${r.index}`)).toEqual(want.map((r) => `${r.source}/${r.index}`));
    for (const [i, r] of got.entries()) expect(maxAbsDiff(r.values, want[i]!.values)).toBeLessThan(TOLERANCE);
  });

  it('fails a bad request alone; the others in its batch are answered', async () => {
    const good = requests()[0]!;
    const settled = await Promise.allSettled([
      engine.call(...good),
      engine.call('all', { ...good[1], sourceSet: 'no-such-set' }),
      engine.call('single', { model: 'tiny-gpt2', vector: [1, 2], hook: 'blocks.1.hook_resid_pre', prompt: 'x' }),
      engine.call('topk-by-token', { model: 'tiny-gpt2', source: '3-res-std', prompt: text(200, 0), ignoreBos: false }),
      engine.call(...good),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    for (const s of settled.slice(1, 4)) expect(((s as PromiseRejectedResult).reason as DomainError).code).toBe('BAD_REQUEST');
    expect((settled[0] as PromiseFulfilledResult<unknown>).value).toEqual((settled[4] as PromiseFulfilledResult<unknown>).value);
  });

  it('splits a batch longer than MAX_BATCH_ROWS into several passes, answers unchanged', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      model: 'tiny-gpt2',
      source: '1-res-std',
      prompt: text(60 + i, i),
      ignoreBos: false,
      topK: 3,
    }));
    // 61 + i tokens each (BOS and one per word): more rows than one pass takes.
    expect(bodies.reduce((s, _, i) => s + 61 + i, 0)).toBeGreaterThan(MAX_BATCH_ROWS);
    const alone: unknown[] = [];
    for (const body of bodies) alone.push(await engine.call('topk-by-token', body));
    const together = await Promise.all(bodies.map((body) => engine.call('topk-by-token', body)));
    together.forEach((answer, i) => expectClose(answer, alone[i], `request ${i}`));
  });
});
