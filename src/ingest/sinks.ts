// Where imported rows go. Each export file is loaded in one transaction together with its
// ImportedFile record, so a file is either wholly in the database and recorded, or neither.
// - Postgres: COPY straight into the table; when some rows exist already, COPY into a temporary
//   staging table instead and merge with INSERT … SELECT … ON CONFLICT DO NOTHING.
// - PGlite: batched INSERT … SELECT FROM json_populate_recordset(…) ON CONFLICT DO NOTHING, the
//   fastest path measured there (PGlite's COPY from a blob slows as tables grow).
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../db/client.js';
import { encodeCopyRows } from './copy-text.js';
import type { TableSpec, Value } from './to-row.js';

export interface ImportedFileRecord {
  path: string;
  location: string;
  size: number;
  sha256: string;
  modifiedAt: string | null;
  etag: string | null;
  tableName: string;
  lines: number;
  rejected: number;
}

export interface FileWriter {
  write(rows: Value[][]): Promise<void>;
  /** Existing rows of a parent table among `keys` (each key the parent's key columns joined by NUL). */
  existing(table: 'Source' | 'Neuron' | 'SourceSet' | 'Model', keys: string[][]): Promise<Set<string>>;
}

export interface Sink {
  kind: 'postgres' | 'pglite';
  findImported(path: string): Promise<ImportedFileRecord | undefined>;
  /**
   * Runs `load` in one transaction; commits its rows with the record it returns, or rolls back on
   * error. `load` may be called a second time (from the start of the file) when the first attempt
   * had to be rolled back for a reason the sink can recover from.
   */
  loadFile(spec: TableSpec, load: (writer: FileWriter) => Promise<ImportedFileRecord>): Promise<{ inserted: number }>;
}

const KEY_COLUMNS = { Model: ['id'], SourceSet: ['modelId', 'name'], Source: ['modelId', 'id'], Neuron: ['modelId', 'layer', 'index'] } as const;
/** How much encoded COPY data may wait for Postgres before the reader pauses (bounds memory). */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `SELECT key columns FROM parent WHERE (cols) IN (SELECT * FROM json_to_recordset($1))`: one parameter, any count. */
function existingQuery(table: keyof typeof KEY_COLUMNS): string {
  const columns = KEY_COLUMNS[table];
  const list = columns.map(quote).join(', ');
  const types = columns.map((c) => `${quote(c)} text`).join(', ');
  return `SELECT ${list} FROM ${quote(table)} WHERE (${list}) IN (SELECT ${list} FROM json_to_recordset($1::json) AS k(${types}))`;
}

function keysToJson(table: keyof typeof KEY_COLUMNS, keys: string[][]): string {
  const columns = KEY_COLUMNS[table];
  return JSON.stringify(keys.map((key) => Object.fromEntries(columns.map((c, i) => [c, key[i]]))));
}

const keyOf = (row: Record<string, unknown>, table: keyof typeof KEY_COLUMNS) => KEY_COLUMNS[table].map((c) => String(row[c])).join('\u0000');

const RECORD_SQL = `INSERT INTO "ImportedFile" ("path", "location", "size", "sha256", "modifiedAt", "etag", "tableName", "lines", "rowsInserted", "rejected", "completedAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
  ON CONFLICT ("path") DO UPDATE SET "location" = EXCLUDED."location", "size" = EXCLUDED."size", "sha256" = EXCLUDED."sha256", "modifiedAt" = EXCLUDED."modifiedAt",
    "etag" = EXCLUDED."etag", "tableName" = EXCLUDED."tableName", "lines" = EXCLUDED."lines", "rowsInserted" = EXCLUDED."rowsInserted", "rejected" = EXCLUDED."rejected", "completedAt" = now()`;

const recordParams = (r: ImportedFileRecord, inserted: number) => [r.path, r.location, r.size, r.sha256, r.modifiedAt, r.etag, r.tableName, r.lines, inserted, r.rejected];

const FIND_SQL = `SELECT "path", "location", "size"::float8 AS "size", "sha256", "modifiedAt", "etag", "tableName", "lines", "rejected" FROM "ImportedFile" WHERE "path" = $1`;

export function sinkFor(database: Database): Sink {
  if (database.pglite) return pgliteSink(database.pglite);
  if (database.pool) return postgresSink(database.pool);
  throw new Error('sinkFor: unknown database');
}

function pgliteSink(db: PGlite): Sink {
  const ROWS_PER_STATEMENT = 2000;
  return {
    kind: 'pglite',
    async findImported(path) {
      return (await db.query<ImportedFileRecord>(FIND_SQL, [path])).rows[0];
    },
    async loadFile(spec, load) {
      const columns = spec.columns.map((c) => quote(c.name)).join(', ');
      const insert = `INSERT INTO ${quote(spec.name)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${quote(spec.name)}, $1::json) ON CONFLICT DO NOTHING`;
      return db.transaction(async (tx: Transaction) => {
        let inserted = 0;
        const writer: FileWriter = {
          async write(rows) {
            for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
              const objects = rows.slice(i, i + ROWS_PER_STATEMENT).map((row) => Object.fromEntries(spec.columns.map((c, j) => [c.name, row[j]])));
              const result = await tx.query(insert, [JSON.stringify(objects)]);
              inserted += result.affectedRows ?? 0;
            }
          },
          async existing(table, keys) {
            if (keys.length === 0) return new Set();
            const result = await tx.query<Record<string, unknown>>(existingQuery(table), [keysToJson(table, keys)]);
            return new Set(result.rows.map((row) => keyOf(row, table)));
          },
        };
        const record = await load(writer);
        await tx.query(RECORD_SQL, recordParams(record, inserted));
        return { inserted };
      });
    },
  };
}

function postgresSink(pool: pg.Pool): Sink {
  /**
   * One attempt at a file. `direct`: COPY straight into the table, which is as fast as psql's own
   * \copy and is right whenever none of the file's rows exist yet (the usual case: a file not yet
   * recorded has no committed rows). Otherwise COPY into a staging table and merge with
   * ON CONFLICT DO NOTHING, which is idempotent whatever the table holds.
   */
  async function attempt(spec: TableSpec, load: (writer: FileWriter) => Promise<ImportedFileRecord>, direct: boolean) {
    const client = await pool.connect();
    let copy: ReturnType<typeof copyFrom> | undefined;
    let broken = false;
    try {
      await client.query('BEGIN');
      const stage = quote(`import_stage_${spec.name}`);
      if (!direct) await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${quote(spec.name)} INCLUDING DEFAULTS) ON COMMIT DROP`);
      const columns = spec.columns.map((c) => quote(c.name)).join(', ');
      const writer: FileWriter = {
        async write(rows) {
          if (rows.length === 0) return;
          copy ??= client.query(copyFrom(`COPY ${direct ? quote(spec.name) : stage} (${columns}) FROM STDIN`));
          copy.write(encodeCopyRows(rows, spec.columns));
          // Keep a few MB in flight so Postgres loads while the next batch is parsed; wait beyond that.
          if (copy.writableLength > COPY_BUFFER_BYTES) await once(copy, 'drain');
        },
        async existing(table, keys) {
          if (keys.length === 0) return new Set();
          // Another connection: this one is busy with the COPY, and parents come from earlier, committed files.
          const result = await pool.query<Record<string, unknown>>(existingQuery(table), [keysToJson(table, keys)]);
          return new Set(result.rows.map((row) => keyOf(row, table)));
        },
      };
      const record = await load(writer);
      if (copy) {
        copy.end();
        await finished(copy);
      }
      let inserted = copy?.rowCount ?? 0;
      if (!direct) inserted = (await client.query(`INSERT INTO ${quote(spec.name)} (${columns}) SELECT ${columns} FROM ${stage} ON CONFLICT DO NOTHING`)).rowCount ?? 0;
      await client.query(RECORD_SQL, recordParams(record, inserted));
      await client.query('COMMIT');
      return { inserted };
    } catch (error) {
      broken = true;
      copy?.destroy();
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      // A connection that failed mid-COPY is not reused.
      client.release(broken ? true : undefined);
    }
  }

  return {
    kind: 'postgres',
    async findImported(path) {
      return (await pool.query<ImportedFileRecord>(FIND_SQL, [path])).rows[0];
    },
    async loadFile(spec, load) {
      try {
        return await attempt(spec, load, true);
      } catch (error) {
        // Some rows exist already (the bookkeeping was lost, or another file held them): merge instead.
        if ((error as { code?: string }).code !== '23505') throw error;
        return attempt(spec, load, false);
      }
    },
  };
}
