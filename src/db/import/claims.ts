// Claims on export files, so that several importers (processes, on one machine or several, and
// several loops in one process) work through one export together without loading a file twice.
// On Postgres a claim is a session-level advisory lock held on a connection of its own: Postgres
// drops it the moment that connection ends, so a file whose importer died (killed, crashed, lost
// its network) is claimable again at once, with no lease to expire and nothing to clean up. The
// file's rows and its ImportedFile record commit together on another connection (sinks.ts), and
// the claimer re-reads the record after claiming, so a file finished by someone else is skipped.
// The embedded database belongs to one process (data-dir lock): its claims are local only.
import pg from 'pg';
import type { Database } from '../client.js';

export interface FileClaims {
  /** True when this importer now holds `key`; false when another importer (or loop) holds it. */
  tryClaim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
  /** Whether other processes may share the work (Postgres), so waiting on their claims makes sense. */
  shared: boolean;
}

/**
 * Advisory-lock keys: two int4s, a fixed class (so our locks cannot meet the migration lock or
 * anyone else's single-bigint locks) and the path's hash. Two paths with one hash only make those
 * two files wait for each other.
 */
const CLAIM_CLASS = 0x4e50_4946; // "NPIF"
const TRY_SQL = 'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS "ok"';
const RELEASE_SQL = 'SELECT pg_advisory_unlock($1::int, hashtext($2))';

export async function openClaims(database: Database): Promise<FileClaims> {
  const held = new Set<string>();
  const local = {
    // Session-level advisory locks are re-entrant within one session: loops of one process are
    // kept apart by this set, other processes by the lock.
    claim: (key: string) => (held.has(key) ? false : (held.add(key), true)),
  };
  if (!database.pool) {
    return {
      shared: false,
      tryClaim: async (key) => local.claim(key),
      release: async (key) => void held.delete(key),
      close: async () => held.clear(),
    };
  }
  // Its own connection, not one of the pool's: it lives as long as the import, and its end is
  // what frees the claims of an importer that died.
  const client = new pg.Client(database.pool.options);
  client.on('error', () => {});
  await client.connect();
  return {
    shared: true,
    async tryClaim(key) {
      if (!local.claim(key)) return false;
      const { rows } = await client.query<{ ok: boolean }>(TRY_SQL, [CLAIM_CLASS, key]);
      if (!rows[0]!.ok) held.delete(key);
      return rows[0]!.ok;
    },
    async release(key) {
      if (!held.delete(key)) return;
      await client.query(RELEASE_SQL, [CLAIM_CLASS, key]);
    },
    async close() {
      held.clear();
      await client.end().catch(() => {});
    },
  };
}
