// One code path, two databases: a Postgres server through `pg` when DATABASE_URL is set, otherwise
// PGlite (Postgres in WASM, with pgvector) persisted in DATA_DIR. Both give the same drizzle API.
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { copyFileSync, cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { acquireDataDirLock, LOCK_FILE_NAME } from './data-dir-lock.js';
import { fastFloatArrayParser, FLOAT4_ARRAY_OID, FLOAT8_ARRAY_OID } from './float-arrays.js';
import { ReplicaSet, readerOf, routedDb, writerOf, type ReplicaSettings } from './replicas.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  /** Reads and writes; with replicas, reads made while serving a request may go to one (replicas.ts). */
  db: Db;
  /** Always the primary: for reads that must see every committed write (API keys, rate limits). */
  primary: Db;
  /** Present when DATABASE_REPLICA_URLS is set (Postgres only). */
  replicas?: ReplicaSet;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, for logs: the data folder or the redacted server URL. */
  location: string;
  /** Present for PGlite only: the raw client (migrations and bulk paths use it). */
  pglite?: PGlite;
  /** Present for Postgres only: the pool (migrations and COPY use it). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite folder, or `memory://` for a throwaway in-memory database (tests). */
  dataDir: string;
  poolSize?: number;
  /** PGlite only: start from this dump (`dumpDataDir`) instead of an empty cluster; tests share one migrated dump. */
  pgliteSnapshot?: Blob;
  /** PGlite only: a data folder (the pre-built demo) copied in first when `dataDir` holds no database yet. */
  pgliteTemplate?: string;
  /** Postgres only: streaming replicas that serve requests' reads. */
  replicas?: ReplicaSettings;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.replicas)
    : openPglite(options.dataDir, options.pgliteSnapshot, options.pgliteTemplate);
}

function postgresPool(url: string, max: number, applicationName?: string): pg.Pool {
  // Timestamps are `timestamp without time zone` holding UTC (as Prisma writes them); a session in
  // UTC makes `now()` defaults agree, whatever the server's own TimeZone setting.
  const pool = new pg.Pool({ connectionString: url, max, options: '-c TimeZone=UTC', application_name: applicationName });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Replica pools and their poller; a replica down at start is only skipped until it answers. */
async function openReplicas(primary: Db, settings: ReplicaSettings, poolSize: number) {
  const pools = settings.urls.map((url) => postgresPool(url, poolSize, 'neuronpedia-mirror-replica'));
  const set = new ReplicaSet(
    primary,
    pools.map((pool, i) => ({ label: redactedLocation(settings.urls[i]!), db: drizzlePg(pool, { schema }) as unknown as Db })),
    settings,
  );
  await set.check();
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void set.check().finally(() => (checking = false));
  }, settings.checkIntervalMs);
  timer.unref();
  return {
    set,
    close: async () => {
      clearInterval(timer);
      await Promise.all(pools.map((pool) => pool.end()));
    },
  };
}

function redactedLocation(url: string): string {
  return new URL(url).host + new URL(url).pathname;
}

function useFastFloatArraysInPg(): void {
  for (const oid of [FLOAT4_ARRAY_OID, FLOAT8_ARRAY_OID]) {
    const fallback = pg.types.getTypeParser(oid, 'text') as (text: string) => unknown;
    if (!(fallback as { fast?: boolean }).fast) pg.types.setTypeParser(oid, Object.assign(fastFloatArrayParser(fallback), { fast: true }));
  }
}

async function openPostgres(url: string, poolSize: number, replicaSettings?: ReplicaSettings): Promise<Database> {
  // drizzle's per-query parsers fall back to pg's global ones, so that is where this goes.
  useFastFloatArraysInPg();
  const pool = postgresPool(url, poolSize);
  const client = await pool.connect(); // fail fast with a clear error when the server is unreachable
  client.release();
  const primary = drizzlePg(pool, { schema }) as unknown as Db;
  const replicas = replicaSettings?.urls.length ? await openReplicas(primary, replicaSettings, poolSize) : undefined;
  return {
    db: replicas ? routedDb(primary, replicas.set) : primary,
    primary,
    replicas: replicas?.set,
    kind: 'postgres',
    location: redactedLocation(url),
    pool,
    close: async () => {
      await replicas?.close();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string, snapshot?: Blob, template?: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const release = inMemory ? () => {} : acquireDataDirLock(dataDir);
  try {
    // Under the lock: a second process on the same empty folder waits instead of copying too.
    if (template && !inMemory && isFreshDataDir(dataDir)) copyDataDir(template, dataDir);
    const parsers = Object.fromEntries(
      [
        [FLOAT4_ARRAY_OID, pgliteTypes.FLOAT4],
        [FLOAT8_ARRAY_OID, pgliteTypes.FLOAT8],
      ].map(([oid, element]) => [
        oid,
        fastFloatArrayParser((text) => pgliteTypes.arrayParser(text, (x: string) => pgliteTypes.parseType(x, element!), oid!)),
      ]),
    );
    const client = await PGlite.create(dataDir, { extensions: { vector }, parsers, loadDataDir: snapshot });
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    return {
      db,
      primary: db,
      kind: 'pglite',
      location: dataDir,
      pglite: client,
      close: async () => {
        try {
          await client.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Rows of a raw read-only SQL query (a replica may answer it); both drivers answer `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await readerOf(db).execute(query)) as unknown as { rows: T[] }).rows;
}

/**
 * A fixed SQL text with positional parameters, run as a named prepared statement: Postgres parses
 * and plans it once per connection, and no drizzle query is built per call (on the steering path
 * building the builders' SQL cost more CPU than the queries). `name` must stand for one `text`;
 * arrays go as `unnest($n::type[])` so the text never depends on row counts. Reads may go to a
 * replica; `write: true` runs on the primary (and marks the request as a writer). Rows come back
 * as the driver reads them (timestamps as text). PGlite ignores the name.
 */
export async function queryPrepared<T>(
  db: Db,
  name: string,
  text: string,
  params: unknown[],
  options: { write?: boolean } = {},
): Promise<T[]> {
  const session = (options.write ? writerOf(db) : readerOf(db))._.session;
  const run = async (statementName: string | undefined) =>
    ((await session.prepareQuery({ sql: text, params }, undefined, statementName, false).execute()) as { rows: T[] }).rows;
  try {
    return await run(name);
  } catch (error) {
    // A server whose connections share sessions (pglite-socket; a pooler in transaction mode) may
    // already hold the name, or lack it: the statement did not run, so run it unnamed.
    if (!isPreparedNameError(error)) throw error;
    return run(undefined);
  }
}

const isPreparedNameError = (error: unknown) => {
  const code = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
  return code === '42P05' || code === '26000';
};

const dialect = new PgDialect();

/**
 * queryRows as a named prepared statement, for large queries on hot paths. Postgres parses and
 * plans an unnamed statement on every call: for the one-query feature read that was ~4 ms of ~8.
 * A named one is parsed once per connection, and after five runs Postgres keeps a generic plan when
 * it costs no more than the custom ones. `name` must stand for one query text (node-postgres
 * refuses a name reused with another text). PGlite ignores the name.
 */
export async function queryRowsPrepared<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return queryPrepared<T>(db, name, text, params);
}

/** Throws unless the database answers a query (the health check). */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`);
}

/**
 * Copies a data folder into `to`, its PG_VERSION last: a copy cut short leaves a folder that still
 * reads as holding no database (isFreshDataDir), which the next start copies into again.
 */
function copyDataDir(from: string, to: string): void {
  const version = path.join(from, 'PG_VERSION');
  const lock = path.join(from, LOCK_FILE_NAME);
  cpSync(from, to, { recursive: true, filter: (source) => source !== version && source !== lock });
  copyFileSync(version, path.join(to, 'PG_VERSION'));
}

/** True when `dataDir` holds no embedded database yet (PGlite would create one there). */
export function isFreshDataDir(dataDir: string): boolean {
  return !dataDir.startsWith('memory://') && !existsSync(path.join(dataDir, 'PG_VERSION'));
}
