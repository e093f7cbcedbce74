// The engine worker: holds the models and SAEs (one copy per engine, however many requests) and
// computes one request at a time off the server's event loop. Streamed frames are posted as they
// are made; a request's cancel flag (shared memory) stops its generation between tokens.
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../errors.js';
import { dispatch } from '../api/dispatch.js';
import { configureMatmul } from '../matmul.js';
import { Registry } from '../registry.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './messages.js';

const init = workerData as WorkerInit;
configureMatmul({ backend: init.backend, threads: init.threads });
const registry = new Registry(init.modelsDir, { memoryBytes: init.memoryMb === undefined ? undefined : init.memoryMb * 1024 * 1024 });
const flags = new Int32Array(init.cancelFlags);
const port = parentPort!;
const send = (reply: WorkerReply) => port.postMessage(reply);

// Requests run one after another: the computation is synchronous, so interleaving would only
// make every request as slow as the slowest.
let queue = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    const cancel = {
      get aborted() {
        return Atomics.load(flags, req.slot) === 1;
      },
    };
    try {
      const result = await dispatch(registry, init.limits, req.op, req.body as never, (frame) => send({ id: req.id, frame }), cancel);
      send({ id: req.id, result });
    } catch (error) {
      const code = error instanceof DomainError ? error.code : undefined;
      send({ id: req.id, error: { message: (error as Error).message, code } });
    }
  });
});
