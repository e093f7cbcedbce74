// Counts requests in Postgres with one atomic upsert, so every server process sharing the database
// shares the count and a restart forgets nothing. Fixed windows: the count resets at each window
// boundary, so the worst case is 2 × limit requests in a short span across a boundary.
import type { Db } from '../../db/client.js';
import { countRequest, deleteWindowsBefore } from '../../db/queries/rate-limits.js';

export interface Hit {
  count: number;
  /** When the current window ends (ms since the epoch). */
  resetAt: number;
}

export interface RateLimitStore {
  hit(key: string, group: string, windowMs: number, now: number): Promise<Hit>;
  /** Drops windows that ended before `before`. */
  prune(before: number): Promise<void>;
}

export function postgresRateLimitStore(db: Db): RateLimitStore {
  return {
    async hit(key, group, windowMs, now) {
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const count = await countRequest(db, key, group, new Date(windowStart));
      return { count, resetAt: windowStart + windowMs };
    },
    async prune(before) {
      await deleteWindowsBefore(db, new Date(before));
    },
  };
}
