// One code path, two databases: a Postgres server through `pg` when DATABASE_URL is set, otherwise
// PGlite (Postgres in WASM, with pgvector) persisted in DATA_DIR. Both give the same drizzle API.
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import { fastFloatArrayParser, FLOAT4_ARRAY_OID, FLOAT8_ARRAY_OID } from './float-arrays.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
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
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPglite(options.dataDir, options.pgliteSnapshot);
}

function useFastFloatArraysInPg(): void {
  for (const oid of [FLOAT4_ARRAY_OID, FLOAT8_ARRAY_OID]) {
    const fallback = pg.types.getTypeParser(oid, 'text') as (text: string) => unknown;
    if (!(fallback as { fast?: boolean }).fast) pg.types.setTypeParser(oid, Object.assign(fastFloatArrayParser(fallback), { fast: true }));
  }
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // drizzle's per-query parsers fall back to pg's global ones, so that is where this goes.
  useFastFloatArraysInPg();
  // Timestamps are `timestamp without time zone` holding UTC (as Prisma writes them); a session in
  // UTC makes `now()` defaults agree, whatever the server's own TimeZone setting.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c TimeZone=UTC' });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const client = await pool.connect(); // fail fast with a clear error when the server is unreachable
  client.release();
  return {
    db: drizzlePg(pool, { schema }) as unknown as Db,
    kind: 'postgres',
    location: new URL(url).host + new URL(url).pathname,
    pool,
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string, snapshot?: Blob): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const release = inMemory ? () => {} : acquireDataDirLock(dataDir);
  try {
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
    return {
      db: drizzlePglite(client, { schema }) as unknown as Db,
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

/** Rows of a raw SQL query; both drivers answer `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Throws unless the database answers a query (the health check). */
export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
