// Pieces both steering routes share: settings limits and defaults (upstream lib/utils/steer.ts),
// logprob normalisation, the share URL, and running one output type on an inference server,
// streamed or not.
import { createHash } from 'node:crypto';
import { STEER_VERSION } from '../../constants.js';
import { type SteerSettingsKey } from '../../db/queries/steer-outputs.js';
import { UpstreamFailed } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import type { InferenceTarget } from '../../upstream/inference/hosts.js';

/** The generation settings both steering routes take, under upstream's field names. */
export interface SteerSettings {
  temperature: number;
  n_tokens: number;
  freq_penalty: number;
  seed: number;
  strength_multiplier: number;
  steer_method: string;
}

/** What identifies a saved output of these settings (the cache key, as upstream). */
export function settingsKeyOf(modelId: string, settings: SteerSettings, steerSpecialTokens?: boolean): SteerSettingsKey {
  return {
    modelId,
    temperature: settings.temperature,
    numTokens: settings.n_tokens,
    freqPenalty: settings.freq_penalty,
    seed: settings.seed,
    strengthMultiplier: settings.strength_multiplier,
    steerMethod: settings.steer_method,
    version: STEER_VERSION,
    ...(steerSpecialTokens === undefined ? {} : { steerSpecialTokens }),
  };
}

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
