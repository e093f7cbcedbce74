// The engine worker: holds the models and SAEs (one copy per engine, however many requests) and
// computes off the server's event loop, one request or batch of requests at a time. Streamed
// frames are posted as they are made; a request's cancel flag (shared memory) stops its
// generation between tokens.
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../errors.js';
import { configureMatmul } from '../matmul.js';
import { Registry } from '../registry.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './messages.js';
import { RequestQueue } from './queue.js';

const init = workerData as WorkerInit;
configureMatmul({ backend: init.backend, threads: init.threads });
const registry = new Registry(init.modelsDir, { memoryBytes: init.memoryMb === undefined ? undefined : init.memoryMb * 1024 * 1024 });
const flags = new Int32Array(init.cancelFlags);
const port = parentPort!;
const send = (reply: WorkerReply) => port.postMessage(reply);

// One batch at a time (queue.ts): concurrent activation requests of a model share forward passes.
const queue = new RequestQueue(registry, init.limits);
port.on('message', (req: WorkerRequest) => {
  const cancel = {
    get aborted() {
      return Atomics.load(flags, req.slot) === 1;
    },
  };
  queue.push({
    op: req.op,
    body: req.body,
    cancel,
    onFrame: (frame) => send({ id: req.id, frame }),
    resolve: (result) => send({ id: req.id, result }),
    reject: (error) => {
      const code = error instanceof DomainError ? error.code : undefined;
      send({ id: req.id, error: { message: (error as Error).message, code } });
    },
  });
});
