// Counts requests in Postgres with one atomic upsert, so every server process sharing the database
// shares the count and a restart forgets nothing. Fixed windows: the count resets at each window
// boundary, so the worst case is 2 × limit requests in a short span across a boundary.
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rateLimitCounter } from '../../db/schema/index.js';

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
      const [row] = await db
        .insert(rateLimitCounter)
        .values({ key, group, windowStart: new Date(windowStart), count: 1 })
        .onConflictDoUpdate({
          target: [rateLimitCounter.key, rateLimitCounter.group, rateLimitCounter.windowStart],
          set: { count: sql`${rateLimitCounter.count} + 1` },
        })
        .returning({ count: rateLimitCounter.count });
      return { count: row!.count, resetAt: windowStart + windowMs };
    },
    async prune(before) {
      await db.delete(rateLimitCounter).where(lt(rateLimitCounter.windowStart, new Date(before)));
    },
  };
}
