// Steering requests generating together: each is a coroutine of forward steps (generate.ts); every
// round, one packed pass (LanguageModel.forwardSteps) computes the next step of every live
// generation, each with its own KV cache and steering hook, so the weights are read once per round
// rather than once per generation (decoding is bound by reading the weights). Between rounds,
// steering requests for the same model that arrived meanwhile join (continuous batching), if they
// are at the head of the queue, so other requests keep their turn. Each generation's tokens,
// frames and cancellation are its own: results equal those of generating alone.
import { planSteer, type PlannedSteer } from '../api/steer.js';
import type { Limits } from '../api/dispatch.js';
import type { Step } from '../model.js';
import type { Registry } from '../registry.js';
import type { QueuedRequest } from './queue.js';

interface Live {
  req: QueuedRequest;
  planned: PlannedSteer;
  step: Step;
}

export async function runSteerBatch(
  registry: Registry,
  limits: Limits,
  first: QueuedRequest,
  /** Takes up to `room` more waiting steering requests for this model from the head of the queue. */
  take: (room: number) => QueuedRequest[],
  /** Generations per round. */
  max: number,
): Promise<void> {
  let live: Live[] = [];
  const advance = (req: QueuedRequest, planned: PlannedSteer, logits?: Float32Array): void => {
    try {
      const r = logits === undefined ? planned.steps.next() : planned.steps.next(logits);
      if (r.done) req.resolve(r.value);
      else live.push({ req, planned, step: r.value });
    } catch (error) {
      req.reject(error);
    }
  };
  const admit = async (reqs: QueuedRequest[]): Promise<void> => {
    const planned = await Promise.allSettled(reqs.map((r) => planSteer(registry, limits, r.body as never, r.onFrame as never, r.cancel)));
    planned.forEach((p, i) => (p.status === 'fulfilled' ? advance(reqs[i]!, p.value) : reqs[i]!.reject(p.reason)));
  };
  await admit([first, ...take(max - 1)]);
  while (live.length > 0) {
    const model = live[0]!.planned.loaded.model;
    registry.steerStats.largestBatch = Math.max(registry.steerStats.largestBatch, live.length);
    const round = live;
    live = [];
    let logits: Float32Array[];
    try {
      logits = model.forwardSteps(round.map((l) => l.step));
    } catch (error) {
      for (const l of round) l.req.reject(error);
      continue;
    }
    round.forEach((l, i) => advance(l.req, l.planned, logits[i]));
    // Let requests that arrived during the round reach the queue, then take in the steering ones.
    await new Promise((resolve) => setImmediate(resolve));
    const joining = take(max - live.length);
    if (joining.length > 0) await admit(joining);
  }
}
