// Pieces both steering routes share: settings limits and defaults (upstream lib/utils/steer.ts),
// logprob normalisation, the share URL, and running one output type on an inference server,
// streamed or not.
import { createHash } from 'node:crypto';
import { UpstreamFailed } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import type { InferenceTarget } from '../../upstream/inference/hosts.js';

export const STEER_METHODS = ['SIMPLE_ADDITIVE', 'ORTHOGONAL_DECOMP', 'PROJECTION_CAP'] as const;
export type SteerMethod = (typeof STEER_METHODS)[number];
export const STEER_MAX_PROMPT_CHARS = 2048;
export const STEER_MAX_PROMPT_CHARS_THINKING = 8192;
export const STEER_MAX_PROMPT_CHARS_ASSISTANT_AXIS = 24576;
export const STEER_N_TOKENS_MAX = 256;
export const STEER_N_TOKENS_MAX_THINKING = 768;
export const STEER_N_TOKENS_MAX_ASSISTANT_AXIS = 768;
export const STEER_N_TOKENS_MAX_LARGE_LLM = 1024;
export const STEER_TEMPERATURE_MAX = 2;
export const STEER_STRENGTH_MULTIPLIER_MAX = 10;
export const STEER_STRENGTH_MIN = -300;
export const STEER_FREQ_PENALTY = 1.0;
export const STEER_SEED_LIMIT = 100_000_000;
export const STEER_N_LOGPROBS = 5;
/** Part of the cache key, as upstream: rows of other versions are never served. */
export const STEER_VERSION = 2;
/** Models upstream serves with nnsight, which allow longer prompts and outputs. */
export const LARGE_LLM_MODELS = ['llama3.3-70b-it', 'gpt-oss-20b'];
export const ERROR_STEER_MAX_PROMPT_CHARS =
  'Total conversation length exceeds the maximum number of characters allowed. Please click Reset to start a new conversation.';

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');
export const shareUrlOf = (publicUrl: string, id: string) => `${publicUrl}/steer/${id}`;

export interface Logprob {
  token: string;
  logprob: number;
  topLogprobs: Array<{ token: string; logprob: number }> | null;
}

/** The inference server writes `topLogprobs` (older ones `top_logprobs`); clients read `topLogprobs`. */
export function normalizeLogprobs(raw: unknown): Logprob[] | null {
  if (!Array.isArray(raw)) return null;
  return raw.map(
    (entry: { token: string; logprob: number; topLogprobs?: Logprob['topLogprobs']; top_logprobs?: Logprob['topLogprobs'] }) => ({
      token: entry.token,
      logprob: entry.logprob,
      topLogprobs: (entry.topLogprobs ?? entry.top_logprobs)?.map((t) => ({ token: t.token, logprob: t.logprob })) ?? null,
    }),
  );
}

export const parseLogprobs = (stored: string | null): Logprob[] | null => (stored ? (JSON.parse(stored) as Logprob[] | null) : null);

/**
 * One output type from the inference server: each stream frame's entry for `type` as it arrives,
 * or the single JSON answer's when not streaming.
 */
export async function* runOutputType<T extends { type: string }, F extends { outputs: T[] }>(
  inference: InferenceClient,
  target: InferenceTarget,
  path: string,
  body: object,
  type: string,
  stream: boolean,
  signal: AbortSignal,
): AsyncGenerator<{ output: T; frame: F }> {
  const pick = (frame: F) => {
    const output = frame?.outputs?.find((o) => o.type === type);
    if (!output) throw new UpstreamFailed(`The inference server's answer has no ${type} output.`);
    return { output, frame };
  };
  if (!stream) {
    yield pick(await inference.post<F>(target, path, { ...body, types: [type], stream: false }, signal));
    return;
  }
  let frames = 0;
  for await (const frame of inference.stream<F>(target, path, { ...body, types: [type], stream: true }, signal)) {
    frames++;
    yield pick(frame);
  }
  if (frames === 0) throw new UpstreamFailed(`The inference server's stream ended without a ${type} output.`);
}
