// The engine's requests, one batch at a time. Computation is synchronous, so running requests
// side by side would only make each as slow as the slowest; instead, when the queue picks up work
// it takes every waiting request that needs nothing but forward passes of the same model
// (activation/all, single, topk-by-token, source) and answers them from shared packed passes and
// shared SAE encodes (api/forward-jobs.ts): one matrix product over many rows costs far less than
// many over few. Steering requests of a model generate together (steer-batch.ts). Anything else
// (tokenize, status, sae-vector) runs alone, in arrival order.
import { BATCHABLE, dispatch, planOperation, type Cancel, type Limits, type Operation } from '../api/dispatch.js';
import { finishPlanned, runForwardJobs, type Planned } from '../api/forward-jobs.js';
import type { Registry } from '../registry.js';
import { runSteerBatch } from './steer-batch.js';

export interface QueuedRequest {
  op: Operation;
  body: unknown;
  onFrame?: (frame: unknown) => void;
  cancel?: Cancel;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Requests per batch: a bound on the time the first waits for the others' answers. */
export const MAX_BATCH_REQUESTS = 16;

const modelOf = (body: unknown): unknown => (body as { model?: unknown } | null)?.model;

export class RequestQueue {
  private waiting: QueuedRequest[] = [];
  private running = false;

  constructor(
    private readonly registry: Registry,
    private readonly limits: Limits,
  ) {}

  push(req: QueuedRequest): void {
    this.waiting.push(req);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        // Yield first, so requests that arrived while the last batch computed can join this one.
        await new Promise((resolve) => setImmediate(resolve));
        const first = this.waiting.shift()!;
        if (first.op === 'steer') {
          await runSteerBatch(
            this.registry,
            this.limits,
            first,
            (room) => this.takeLeading('steer', modelOf(first.body), room),
            MAX_BATCH_REQUESTS,
          );
          continue;
        }
        if (!BATCHABLE.has(first.op)) {
          await this.runAlone(first);
          continue;
        }
        const batch = [first];
        this.waiting = this.waiting.filter((r) => {
          const joins = batch.length < MAX_BATCH_REQUESTS && BATCHABLE.has(r.op) && modelOf(r.body) === modelOf(first.body);
          if (joins) batch.push(r);
          return !joins;
        });
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  /** The waiting requests of this op and model at the head of the queue (at most `room`), taken out. */
  private takeLeading(op: Operation, model: unknown, room: number): QueuedRequest[] {
    let n = 0;
    while (n < Math.min(room, this.waiting.length) && this.waiting[n]!.op === op && modelOf(this.waiting[n]!.body) === model) n++;
    return this.waiting.splice(0, n);
  }

  private async runAlone(req: QueuedRequest): Promise<void> {
    try {
      req.resolve(await dispatch(this.registry, this.limits, req.op, req.body as never, req.onFrame, req.cancel));
    } catch (error) {
      req.reject(error);
    }
  }

  /** Plans each request (one that fails is answered alone), runs all their jobs together, answers each. */
  private async runBatch(batch: QueuedRequest[]): Promise<void> {
    const planned = await Promise.allSettled(batch.map((r) => planOperation(this.registry, this.limits, r.op, r.body as never)));
    const ready: [QueuedRequest, Planned][] = [];
    planned.forEach((p, i) => (p.status === 'fulfilled' ? ready.push([batch[i]!, p.value]) : batch[i]!.reject(p.reason)));
    if (ready.length === 0) return;
    try {
      runForwardJobs(ready.flatMap(([, p]) => p.jobs));
    } catch (error) {
      for (const [req] of ready) req.reject(error);
      return;
    }
    const stats = this.registry.batchStats;
    stats.count++;
    stats.requests += ready.length;
    stats.largest = Math.max(stats.largest, ready.length);
    for (const [req, p] of ready) {
      try {
        req.resolve(finishPlanned(p));
      } catch (error) {
        req.reject(error);
      }
    }
  }
}
