// RateLimitCounter rows: one atomic upsert per counted request, and pruning of ended windows.
import { lt } from 'drizzle-orm';
import { queryPrepared, type Db } from '../client.js';
import { rateLimitCounter } from '../schema/index.js';

// One statement on every limited request, so a fixed text run as a prepared statement. Its commit
// does not wait for the WAL to reach disk (synchronous_commit off for this transaction only, set
// inside the statement: an extra SET would be another round trip): a Postgres crash may forget the
// counts of the last moments (up to three times wal_writer_delay, 0.6 s by default), never corrupt
// them; a crash of the mirror loses nothing, and the counts stay shared by every process.
const COUNT_REQUEST = `INSERT INTO "RateLimitCounter" AS c ("key", "group", "windowStart", "count")
SELECT $1, $2, $3::timestamp, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
ON CONFLICT ("key", "group", "windowStart") DO UPDATE SET "count" = c."count" + 1
RETURNING c."count"`;

/** Counts one request in the window starting at `windowStart`; returns the window's count so far. */
export async function countRequest(db: Db, key: string, group: string, windowStart: Date): Promise<number> {
  const [row] = await queryPrepared<{ count: number }>(db, 'rate_limit_count', COUNT_REQUEST, [key, group, windowStart.toISOString()], {
    write: true,
  });
  return row!.count;
}

export async function deleteWindowsBefore(db: Db, before: Date): Promise<void> {
  await db.delete(rateLimitCounter).where(lt(rateLimitCounter.windowStart, before));
}
