// WEB_CONCURRENCY: several worker processes share the port (node:cluster), so the server uses
// every core. Workers share everything that matters through Postgres: rate limits are counted
// there, and caches are cleared across processes with LISTEN/NOTIFY (plugins/app/cross-process.ts).
// The embedded database lives inside one process (PGlite takes no lock of its own and cannot be
// opened twice), so with it the server always runs as one process.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';

export interface WorkerPlan {
  workers: number;
  /** Why, for the start log. */
  reason: string;
}

export function planWorkers(config: Pick<Config, 'databaseUrl' | 'webConcurrency'>, cores = availableParallelism()): WorkerPlan {
  if (!config.databaseUrl) {
    return {
      workers: 1,
      reason:
        config.webConcurrency && config.webConcurrency > 1
          ? `WEB_CONCURRENCY=${config.webConcurrency} ignored: the embedded database is single-process; set DATABASE_URL (Postgres) for several workers`
          : 'one process: the embedded database is single-process (WEB_CONCURRENCY applies with DATABASE_URL)',
    };
  }
  if (config.webConcurrency !== undefined) return { workers: config.webConcurrency, reason: `WEB_CONCURRENCY=${config.webConcurrency}` };
  return { workers: cores, reason: `one worker per core (${cores}); set WEB_CONCURRENCY to change` };
}

/**
 * The cluster's primary: forks the workers, replaces one that dies while serving, and stops them
 * all on SIGTERM/SIGINT. A worker that dies before it ever listened stops the whole server: that
 * is a configuration or start-up error, and restarting it would only loop.
 */
export async function runPrimary(workers: number, log: FastifyBaseLogger): Promise<void> {
  let stopping = false;
  const listening = new Set<number>();
  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => listening.add(worker.id));
    worker.once('exit', (code, signal) => {
      const served = listening.delete(worker.id);
      if (stopping) return;
      if (!served) {
        log.error({ code, signal }, 'a worker exited before it could serve; stopping');
        void stop(1);
        return;
      }
      log.error({ pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
      fork();
    });
  };
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            w!.once('exit', () => resolve());
            w!.process.kill('SIGTERM');
          }),
      ),
    );
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  for (let i = 0; i < workers; i++) fork();
}
