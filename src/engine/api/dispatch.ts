// Every /v1 operation by name, so the same call runs in this thread or in the engine's worker
// (worker/host.ts) with nothing but a name, a JSON body and a stream callback crossing over.
import type { Registry } from '../registry.js';
import { activationAll, activationSingle, activationSource, activationTopkByToken } from './activation.js';
import type { EngineLimits } from './common.js';
import { steerCompletion } from './steer.js';
import { saeVector, similarityMatrixPred, tokenize } from './util.js';

export const OPERATIONS = [
  'all',
  'topk-by-token',
  'single',
  'source',
  'sae-vector',
  'tokenize',
  'steer',
  'status',
  'similarity-matrix-pred',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What generation checks between tokens: an AbortSignal, or the worker's shared flag. */
export interface Cancel {
  readonly aborted: boolean;
}

export type Limits = EngineLimits & { maxTokens: number };

export function dispatch(
  registry: Registry,
  limits: Limits,
  op: Operation,
  body: never,
  onFrame?: (frame: unknown) => void,
  cancel?: Cancel,
): Promise<unknown> {
  switch (op) {
    case 'all':
      return activationAll(registry, limits, body);
    case 'topk-by-token':
      return activationTopkByToken(registry, limits, body);
    case 'single':
      return activationSingle(registry, limits, body);
    case 'source':
      return activationSource(registry, limits, body);
    case 'sae-vector':
      return saeVector(registry, body);
    case 'tokenize':
      return tokenize(registry, body);
    case 'steer':
      return steerCompletion(registry, limits, body, onFrame, cancel);
    case 'similarity-matrix-pred':
      return similarityMatrixPred(registry, body);
    case 'status':
      return Promise.resolve(registry.status());
  }
}
