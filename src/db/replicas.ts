// Read replicas (DATABASE_REPLICA_URLS): reads made while serving a request go to a streaming
// replica, everything else to the primary.
//
// Routing is drizzle's `withReplicas`: select/with/relational queries ask `pick()` for a database,
// insert/update/delete/execute/transaction always use the primary. `queryRows` (raw read-only
// SQL, e.g. the one-query feature JSON) asks `pick()` too. Services keep one `Db` handle; the
// request they serve is found through AsyncLocalStorage (`readScope`, entered by the
// read-routing plugin), so no route or service has to pass a second handle around.
//
// Freshness comes from one number per replica, `caughtUpAsOf`: the newest moment T such that the
// replica has replayed all WAL the primary had inserted at T. A poll samples the primary's
// `pg_current_wal_insert_lsn()` (time taken before the query) and each replica's
// `pg_last_wal_replay_lsn()`. Then:
// - lag = now - caughtUpAsOf; a replica lagging past DATABASE_REPLICA_MAX_LAG_MS, or that failed
//   its last check (down), is skipped;
// - read-your-writes: a request that wrote records its caller's write time W (after commit,
//   before the answer leaves); that caller's reads use only replicas with caughtUpAsOf > W, i.e.
//   that have replayed the write, else the primary. No extra query per request.
// Outside a request (CLI, startup, background jobs) and after a write in the same request, reads
// use the primary.
import { AsyncLocalStorage } from 'node:async_hooks';
import { LRUCache } from 'lru-cache';
import { withReplicas } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

export interface ReplicaSettings {
  urls: string[];
  maxLagMs: number;
  checkIntervalMs: number;
}

/** What the router knows of the request being served. */
export interface ReadScope {
  /** Who is asking: user id and client address (either one's recent write counts). */
  callers(): string[];
  /** This request already wrote: its later reads must see that. */
  wrote: boolean;
}

export const readScope = new AsyncLocalStorage<ReadScope>();

/**
 * The caller whose writes everyone must see: writes that clear the feature cache. Without it a
 * lagging replica's answer could refill the emptied cache and be served to the writer from there.
 */
export const EVERYONE = '*';

export interface ReplicaState {
  label: string;
  db: Db;
  up: boolean;
  /** Epoch ms; 0 until the replica is known to have replayed anything the primary reported. */
  caughtUpAsOf: number;
  error?: string;
}

export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export class ReplicaSet {
  readonly replicas: ReplicaState[];
  /** Primary WAL positions with the time just before each was read, oldest first. */
  private samples: { at: number; lsn: bigint }[] = [];
  /** Caller -> time of their last write (epoch ms); older than the lag limit no longer matters. */
  private readonly writers: LRUCache<string, number>;
  private next = 0;

  constructor(
    private readonly primary: Db,
    replicas: { label: string; db: Db }[],
    private readonly settings: ReplicaSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.replicas = replicas.map((r) => ({ ...r, up: false, caughtUpAsOf: 0 }));
    this.writers = new LRUCache({ max: 100_000, ttl: Math.max(settings.maxLagMs, settings.checkIntervalMs) * 2 + 1000 });
  }

  /** The database a read should use now. */
  pick(): Db {
    const scope = readScope.getStore();
    if (!scope || scope.wrote) return this.primary;
    let writtenAt = 0;
    for (const caller of [...scope.callers(), EVERYONE]) writtenAt = Math.max(writtenAt, this.writers.get(caller) ?? 0);
    const now = this.now();
    const usable = this.replicas.filter((r) => r.up && now - r.caughtUpAsOf <= this.settings.maxLagMs && r.caughtUpAsOf > writtenAt);
    if (usable.length === 0) return this.primary;
    this.next = (this.next + 1) % usable.length;
    return usable[this.next]!.db;
  }

  /** A write went through the router: the rest of this request reads the primary. */
  markWrite(): void {
    const scope = readScope.getStore();
    if (scope) scope.wrote = true;
  }

  /** The callers' writes are committed (their answer is about to leave): route their reads accordingly. */
  recordWrite(callers: string[], at = this.now()): void {
    for (const caller of callers) this.writers.set(caller, Math.max(at, this.writers.get(caller) ?? 0));
  }

  /** One poll: the primary's WAL position, then each replica's replay position. */
  async check(): Promise<void> {
    const at = this.now();
    try {
      const [row] = await rows<{ lsn: string }>(this.primary, sql`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
      this.samples.push({ at, lsn: parseLsn(row!.lsn) });
      const keepAfter = at - this.settings.maxLagMs - 2 * this.settings.checkIntervalMs;
      while (this.samples.length > 2 && this.samples[1]!.at < keepAfter) this.samples.shift();
    } catch {
      // Primary unreachable: keep the old samples; replicas cannot look fresher than them.
    }
    await Promise.all(this.replicas.map((r) => this.checkReplica(r)));
  }

  private async checkReplica(replica: ReplicaState): Promise<void> {
    try {
      const [row] = await rows<{ lsn: string | null }>(replica.db, sql`SELECT pg_last_wal_replay_lsn()::text AS lsn`);
      if (!row?.lsn) throw new Error('not a standby (pg_last_wal_replay_lsn() is null)');
      const replayed = parseLsn(row.lsn);
      let caughtUpAsOf = 0;
      for (const sample of this.samples) if (sample.lsn <= replayed) caughtUpAsOf = sample.at;
      replica.caughtUpAsOf = Math.max(replica.caughtUpAsOf, caughtUpAsOf);
      replica.up = true;
      replica.error = undefined;
    } catch (error) {
      replica.up = false;
      replica.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** For logs and the health route: each replica's state and lag. */
  status(): { replica: string; up: boolean; lagMs: number | null; error?: string }[] {
    const now = this.now();
    return this.replicas.map((r) => ({
      replica: r.label,
      up: r.up,
      lagMs: r.caughtUpAsOf ? now - r.caughtUpAsOf : null,
      ...(r.error ? { error: r.error } : {}),
    }));
  }
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A Db whose reads go where `set.pick()` says and whose writes mark the request as a writer. */
export function routedDb(primary: Db, set: ReplicaSet): Db {
  const routed = withReplicas(primary, set.replicas.map((r) => r.db) as [Db, ...Db[]], () => set.pick());
  const marking = <F extends (...args: never[]) => unknown>(method: F): F =>
    ((...args: Parameters<F>) => {
      set.markWrite();
      return method(...args);
    }) as F;
  return Object.assign(routed, {
    insert: marking(routed.insert),
    update: marking(routed.update),
    delete: marking(routed.delete),
    execute: marking(routed.execute),
    transaction: marking(routed.transaction),
    $read: () => set.pick(),
    $write: () => {
      set.markWrite();
      return primary;
    },
  }) as unknown as Db;
}

/** Where a read-only raw query should run: the picked replica on a routed Db, else the Db itself. */
export function readerOf(db: Db): Db {
  const read = (db as { $read?: () => Db }).$read;
  return read ? read() : db;
}

/** Where a raw write should run: the primary, marking the request as a writer on a routed Db, else the Db itself. */
export function writerOf(db: Db): Db {
  const write = (db as { $write?: () => Db }).$write;
  return write ? write() : db;
}
