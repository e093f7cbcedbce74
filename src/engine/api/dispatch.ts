// Every /v1 operation by name, so the same call runs in this thread or in the engine's worker
// (worker/host.ts) with nothing but a name, a JSON body and a stream callback crossing over.
import type { Registry } from '../registry.js';
import { planAll, planSingle, planSource, planTopkByToken } from './activation.js';
import type { EngineLimits } from './common.js';
import { runPlanned, type Planned } from './forward-jobs.js';
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

/** Operations answered from forward passes alone, which concurrent requests can share. */
export const BATCHABLE: ReadonlySet<Operation> = new Set<Operation>(['all', 'topk-by-token', 'single', 'source']);

/** A batchable operation's plan (its forward jobs and how to answer once they have run). */
export function planOperation(registry: Registry, limits: Limits, op: Operation, body: never): Promise<Planned> {
  switch (op) {
    case 'all':
      return planAll(registry, limits, body);
    case 'topk-by-token':
      return planTopkByToken(registry, limits, body);
    case 'single':
      return planSingle(registry, limits, body);
    case 'source':
      return planSource(registry, limits, body);
    default:
      return Promise.reject(new Error(`${op} is not answered from forward passes alone`));
  }
}

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
    case 'topk-by-token':
    case 'single':
    case 'source':
      return planOperation(registry, limits, op, body).then(runPlanned);
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
