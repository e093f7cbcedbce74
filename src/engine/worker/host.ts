// The server side of the engine: `call(op, body)` runs an operation in the engine's worker thread
// (or, for tests and tools, in this thread) and returns its answer; streamed frames come back as
// they are made, and a cancelled request stops its generation at the next token.
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../module-worker.js';
import { DomainError, type ErrorCode } from '../../errors.js';
import type { Limits, Operation } from '../api/dispatch.js';
import { Registry } from '../registry.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './messages.js';
import { RequestQueue } from './queue.js';

export interface Engine {
  readonly registry: Registry;
  call(op: Operation, body: unknown, onFrame?: (frame: unknown) => void, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export interface EngineOptions {
  modelsDir: string;
  limits: Limits;
  /** ORT threads per matrix product. */
  threads?: number;
  /** ENGINE_MEMORY_MB (undefined: no limit). */
  memoryMb?: number;
  backend?: 'ort' | 'js';
}

/** Computes on the caller's thread (blocks its event loop while it runs), batching as the worker does. */
export function inProcessEngine(opts: EngineOptions): Engine {
  const memoryBytes = opts.memoryMb === undefined ? undefined : opts.memoryMb * 1024 * 1024;
  const registry = new Registry(opts.modelsDir, { memoryBytes });
  const queue = new RequestQueue(registry, opts.limits);
  return {
    registry,
    call: (op, body, onFrame, cancel) => new Promise((resolve, reject) => queue.push({ op, body, onFrame, cancel, resolve, reject })),
    close: async () => {},
  };
}

const SLOTS = 1024;

/** Computes in one worker thread that holds the weights. */
export function workerEngine(opts: EngineOptions): Engine {
  const cancelFlags = new SharedArrayBuffer(4 * SLOTS);
  const flags = new Int32Array(cancelFlags);
  const free = Array.from({ length: SLOTS }, (_, i) => i);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onFrame?: (f: unknown) => void }>();
  let nextId = 1;
  let worker: Worker | undefined;

  const spawn = (): Worker => {
    const init: WorkerInit = {
      modelsDir: opts.modelsDir,
      limits: opts.limits,
      threads: opts.threads ?? 1,
      memoryMb: opts.memoryMb,
      backend: opts.backend,
      cancelFlags,
    };
    // From the TypeScript sources (tsx, tests) the worker loads its module through tsx.
    const w = startModuleWorker(siblingModule(import.meta.url, 'worker'), { workerData: init });
    w.on('message', (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      if ('frame' in reply) return p.onFrame?.(reply.frame);
      pending.delete(reply.id);
      if ('result' in reply) p.resolve(reply.result);
      else
        p.reject(reply.error.code ? new DomainError(reply.error.code as ErrorCode, reply.error.message) : new Error(reply.error.message));
    });
    const fail = (error: Error) => {
      worker = undefined;
      for (const p of pending.values()) p.reject(new Error(`the engine worker stopped: ${error.message}`));
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    w.unref();
    return w;
  };

  return {
    registry: new Registry(opts.modelsDir),
    call(op, body, onFrame, signal) {
      worker ??= spawn();
      const slot = free.pop();
      if (slot === undefined) return Promise.reject(new Error('the engine is busy: too many requests waiting'));
      Atomics.store(flags, slot, 0);
      const id = nextId++;
      const cancel = () => Atomics.store(flags, slot, 1);
      signal?.addEventListener('abort', cancel, { once: true });
      const done = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject, onFrame }));
      worker.postMessage({ id, op, body, slot } satisfies WorkerRequest);
      // An idle worker must not keep the process alive; one with work must.
      worker.ref();
      return done.finally(() => {
        signal?.removeEventListener('abort', cancel);
        free.push(slot);
        if (pending.size === 0) worker?.unref();
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
