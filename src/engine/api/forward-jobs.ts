// The forward passes and SAE encodes behind the /v1/activation/* answers, run for many requests at
// once: the jobs of one model share one packed forward pass (worker/queue.ts gathers concurrent
// requests), and the jobs reading one SAE share one encode over all their rows. Each row's result
// is what a pass over its prompt alone gives (every operation is row-wise or per sequence), so
// batching changes speed, never answers beyond float rounding in the matrix products.
import { InvalidInput } from '../../errors.js';
import type { LoadedModel } from '../registry.js';
import type { Sae } from '../sae.js';

export interface ForwardJob {
  loaded: LoadedModel;
  ids: number[];
  /** Hooks whose raw activations the job reads (`resid` after the run). */
  hooks: string[];
  /** SAEs to encode at their hooks; `onActs(i, acts)` gets `saes[i]`'s `[T, d_sae]` (SAEs in any order). */
  saes: Sae[];
  onActs?: (i: number, acts: Float32Array) => void;
  resid?: Map<string, Float32Array>;
  /** What a callback of this job threw (its request fails; the others in the batch go on). */
  error?: unknown;
}

/** A request's jobs, and its answer once they have run. */
export interface Planned {
  jobs: ForwardJob[];
  finish(): unknown;
}

/** The answer of a request whose jobs have run. */
export function finishPlanned(planned: Planned): unknown {
  const failed = planned.jobs.find((j) => j.error !== undefined);
  if (failed) throw failed.error;
  return planned.finish();
}

/** Runs one request's jobs alone (no batch) and answers it. */
export function runPlanned(planned: Planned): unknown {
  runForwardJobs(planned.jobs);
  return finishPlanned(planned);
}

/** Rows (tokens) per packed pass: bounds the activations held at once (rows × d_sae floats per SAE). */
export const MAX_BATCH_ROWS = 512;

function layerOf(hook: string): number {
  const m = /^blocks\.(\d+)\./.exec(hook);
  return m ? Number(m[1]) : 0;
}

/** A job, checked when it is planned (so one bad request cannot fail a batch it shares). */
export function forwardJob(loaded: LoadedModel, ids: number[], hooks: string[], saes: Sae[] = []): ForwardJob {
  const known = new Set(loaded.model.hookNames());
  for (const h of hooks) if (!known.has(h)) throw new InvalidInput(`Unknown hook: ${h}`);
  for (const sae of saes) {
    if (!known.has(sae.cfg.hookName)) throw new InvalidInput(`Unknown hook: ${sae.cfg.hookName}`);
    if (sae.cfg.dIn !== loaded.model.config.dModel) {
      throw new InvalidInput(`The SAE reads ${sae.cfg.dIn} values at ${sae.cfg.hookName}; the model has ${loaded.model.config.dModel}`);
    }
  }
  return { loaded, ids, hooks, saes };
}

/** Runs every job: per model, packed passes of at most MAX_BATCH_ROWS rows (a longer job alone). */
export function runForwardJobs(jobs: ForwardJob[]): void {
  const byModel = new Map<LoadedModel, ForwardJob[]>();
  for (const job of jobs) byModel.set(job.loaded, [...(byModel.get(job.loaded) ?? []), job]);
  for (const [loaded, group] of byModel) {
    let chunk: ForwardJob[] = [];
    let rows = 0;
    for (const job of group) {
      if (chunk.length > 0 && rows + job.ids.length > MAX_BATCH_ROWS) {
        runChunk(loaded, chunk);
        [chunk, rows] = [[], 0];
      }
      chunk.push(job);
      rows += job.ids.length;
    }
    if (chunk.length > 0) runChunk(loaded, chunk);
  }
}

function runChunk(loaded: LoadedModel, jobs: ForwardJob[]): void {
  const wanted = new Set(jobs.flatMap((j) => [...j.hooks, ...j.saes.map((s) => s.cfg.hookName)]));
  const offsets: number[] = [];
  let total = 0;
  for (const job of jobs) {
    offsets.push(total);
    total += job.ids.length;
    job.resid = new Map();
  }
  const captured = new Map<string, Float32Array>();
  loaded.model.forwardPacked(
    jobs.map((j) => j.ids),
    {
      lastLayer: Math.max(0, ...[...wanted].map(layerOf)),
      hook: (name, h) => {
        if (wanted.has(name)) captured.set(name, h.slice());
      },
    },
  );
  const width = loaded.model.config.dModel;
  for (const [name, h] of captured) {
    jobs.forEach((job, j) => job.resid!.set(name, h.subarray(offsets[j]! * width, (offsets[j]! + job.ids.length) * width)));
  }
  // One encode per SAE over the rows of every job that reads it; each job gets its own rows.
  const saes = [...new Set(jobs.flatMap((j) => j.saes))];
  for (const sae of saes) {
    const readers = jobs.filter((j) => j.saes.includes(sae));
    const rows = readers.reduce((s, j) => s + j.ids.length, 0);
    const x = new Float32Array(rows * width);
    let r = 0;
    for (const job of readers) {
      x.set(job.resid!.get(sae.cfg.hookName)!, r * width);
      r += job.ids.length;
    }
    const acts = sae.encode(x, rows);
    const d = sae.cfg.dSae;
    r = 0;
    for (const job of readers) {
      const mine = acts.subarray(r * d, (r + job.ids.length) * d);
      try {
        job.saes.forEach((s, i) => s === sae && job.onActs?.(i, mine));
      } catch (error) {
        job.error ??= error;
      }
      r += job.ids.length;
    }
  }
}
