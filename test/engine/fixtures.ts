// The committed reference outputs of scripts/make-tiny-models.py (float64 torch, following
// Hugging Face's modeling_gpt2.py and SAELens), and paths to the tiny models and SAEs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ENGINE_FIXTURES = fileURLToPath(new URL('../fixtures/engine/', import.meta.url));
export const modelDir = (name: string): string => `${ENGINE_FIXTURES}models/${name}`;
export const saeDir = (id: string): string => `${ENGINE_FIXTURES}saes/${id}`;

export interface LogitsSummary {
  indices: number[];
  values: number[][];
  argmax: number[];
  logsumexp: number[];
}

export interface FixtureSteer {
  hook?: string;
  vector?: number[];
  sae?: string;
  index?: number;
  strength: number;
  strengthMultiplier: number;
  method: 'SIMPLE_ADDITIVE' | 'ORTHOGONAL_DECOMP' | 'PROJECTION_CAP';
  normalize: boolean;
}

export interface Expected {
  prompts: { text: string; ids: number[] }[];
  models: Record<string, { forward: { ids: number[]; hooks: Record<string, number[][]>; logits: LogitsSummary }[] }>;
  saes: Record<string, { hook: string; architecture: string; ids: number[]; acts: number[][]; W_enc_col3: number[]; W_dec_row3: number[] }>;
  generation: {
    name: string;
    ids: number[];
    maxNew: number;
    steers: FixtureSteer[];
    expected: number[];
    margin: number;
    prefill: LogitsSummary;
    /** The first two cases: per generated token, its log_softmax and the top 5 `[id, logprob]`. */
    logprobs?: { token: number; logprob: number; top: [number, number][] }[];
  }[];
}

export const expected = JSON.parse(readFileSync(`${ENGINE_FIXTURES}expected.json`, 'utf8')) as Expected;

export const TOLERANCE = 1e-4;

/** Largest |a − b| over two equal-length sequences (fails on a length mismatch). */
export function maxAbsDiff(actual: ArrayLike<number>, wanted: ArrayLike<number>): number {
  expect(actual.length).toBe(wanted.length);
  let worst = 0;
  for (let i = 0; i < wanted.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - wanted[i]!));
  return worst;
}

/** Logits `[rows, vocab]` checked against a reference summary (sampled ids, argmax, logsumexp). */
export function expectLogits(logits: Float32Array, vocab: number, summary: LogitsSummary): void {
  const rows = summary.argmax.length;
  expect(logits.length).toBe(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    const sampled = summary.indices.map((i) => row[i]!);
    expect(maxAbsDiff(sampled, summary.values[r]!)).toBeLessThan(TOLERANCE);
    let best = 0;
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (row[i]! > max) [max, best] = [row[i]!, i];
    expect(best).toBe(summary.argmax[r]);
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(row[i]! - max);
    expect(Math.abs(max + Math.log(sum) - summary.logsumexp[r]!)).toBeLessThan(TOLERANCE);
  }
}

/** Deep equality, numbers within 1e-5 (relative to their size when above 1). */
export function expectClose(actual: unknown, wanted: unknown, path = '$'): void {
  if (typeof wanted === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - wanted), path).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wanted)));
  } else if (Array.isArray(wanted)) {
    expect(Array.isArray(actual) && actual.length, path).toBe(wanted.length);
    wanted.forEach((w, i) => expectClose((actual as unknown[])[i], w, `${path}[${i}]`));
  } else if (wanted !== null && typeof wanted === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(wanted).sort());
    for (const [k, w] of Object.entries(wanted)) expectClose((actual as Record<string, unknown>)[k], w, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(wanted);
  }
}

/**
 * The engine's steer request for a reference generation on prompt 1, greedy, with its first
 * steer's settings; `extra` says what steers it (`vectors` or `features`) and overrides the rest.
 */
export function steerRequest(g: Expected['generation'][number], extra: Record<string, unknown>) {
  const s = g.steers[0]!;
  return {
    model: 'tiny-gpt2',
    prompt: expected.prompts[1]!.text,
    types: ['STEERED'],
    nCompletionTokens: g.maxNew,
    temperature: 0,
    strengthMultiplier: s.strengthMultiplier,
    freqPenalty: 0,
    seed: 1,
    steerMethod: s.method,
    normalizeSteering: s.normalize,
    ...extra,
  };
}
