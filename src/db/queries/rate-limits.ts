// RateLimitCounter rows: one atomic upsert per counted request, and pruning of ended windows.
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rateLimitCounter } from '../schema/index.js';

/** Counts one request in the window starting at `windowStart`; returns the window's count so far. */
export async function countRequest(db: Db, key: string, group: string, windowStart: Date): Promise<number> {
  const [row] = await db
    .insert(rateLimitCounter)
    .values({ key, group, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimitCounter.key, rateLimitCounter.group, rateLimitCounter.windowStart],
      set: { count: sql`${rateLimitCounter.count} + 1` },
    })
    .returning({ count: rateLimitCounter.count });
  return row!.count;
}

export async function deleteWindowsBefore(db: Db, before: Date): Promise<void> {
  await db.delete(rateLimitCounter).where(lt(rateLimitCounter.windowStart, before));
}
