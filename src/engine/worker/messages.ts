// Messages between the server thread and the engine worker.
import type { Limits, Operation } from '../api/dispatch.js';

export interface WorkerInit {
  modelsDir: string;
  limits: Limits;
  threads: number;
  /** ENGINE_MEMORY_MB: budget of loaded models and SAEs; undefined: no limit. */
  memoryMb?: number;
  backend?: 'ort' | 'js';
  /** One Int32 per request slot: the server sets a slot to 1 when its client goes away. */
  cancelFlags: SharedArrayBuffer;
}

export interface WorkerRequest {
  id: number;
  op: Operation;
  body: unknown;
  /** Index into cancelFlags. */
  slot: number;
}

export type WorkerReply =
  { id: number; frame: unknown } | { id: number; result: unknown } | { id: number; error: { message: string; code: string | undefined } };
