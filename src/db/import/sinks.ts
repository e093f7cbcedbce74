// Where imported rows go, and how each database records a file as imported (ImportedFile).
// - Postgres: one transaction per file, its rows and its record together (wholly in, or nothing).
//   COPY straight into the table; when some rows exist already, COPY into a temporary staging table
//   instead and merge with INSERT … SELECT … ON CONFLICT DO NOTHING.
// - PGlite: batched INSERT … SELECT FROM json_populate_recordset(…) ON CONFLICT DO NOTHING, the
//   fastest path measured there (PGlite's COPY from a blob slows as tables grow). PGlite runs one
//   query at a time and a transaction holds it for its whole length, so one transaction per file
//   would stall every reader for the whole file: each batch commits on its own instead, with the
//   file's record (written first, in progress) counting its rows. A file left in progress is
//   re-read on the next run; ON CONFLICT DO NOTHING (every imported table has a primary key) keeps
//   that exact.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../client.js';
import { BINARY_COPY_TRAILER, binaryCopyHeader } from './copy-binary.js';
import { encodeCopyRows } from './copy-text.js';
import type { TableSpec, Value } from './table-spec.js';

/** What the sink records of an export file (the importer's ExportFile has these and more). */
export interface SinkFile {
  /** Layout path from `v1/`: the key that records the file as imported. */
  key: string;
  size: number;
  modifiedAt?: string;
  etag?: string;
  /** The table its lines go to. */
  table: string;
}

export interface ImportedFileRecord {
  path: string;
  location: string;
  size: number;
  sha256: string;
  modifiedAt: string | null;
  etag: string | null;
  tableName: string;
  lines: number;
  rowsInserted: number;
  rejected: number;
  /** Rows rejected because their parent row was missing: the file is retried on the next run. */
  parentMissing: number;
  /** False while an embedded import of it is under way (or was killed). */
  complete: boolean;
}

/** The file about to be loaded, and its record from an earlier run (a retry or a resumed file). */
export interface FileStart {
  file: SinkFile;
  /** The import's location (folder or base URL), for the record. */
  location: string;
  previous?: ImportedFileRecord;
}

/** What a load found, for the file's record. */
export interface FileEnd {
  lines: number;
  rejected: number;
  parentMissing: number;
  sha256: string;
}

export interface FileWriter {
  write(rows: Value[][]): Promise<void>;
  /**
   * Rows already encoded for COPY (by a parse worker), in one format for the whole file: binary
   * (copy-binary.ts, rows only: the sink adds header and trailer) or text (copy-text.ts). Only
   * sinks that COPY have it; others take rows through `write`.
   */
  writeEncoded?(data: Buffer | string, format: 'binary' | 'text'): Promise<void>;
  /**
   * Whether the loader checks each batch's parent rows (with `existing`) and reports the rows whose
   * parent is missing. False on a first Postgres attempt: the foreign keys check every row anyway,
   * and the sink reads the file again with checks only when one fails (a partial export).
   */
  checkParents: boolean;
  /** Existing rows of a parent table among `keys` (each key the parent's key columns joined by NUL). */
  existing(table: 'Source' | 'Neuron' | 'SourceSet' | 'Model', keys: string[][]): Promise<Set<string>>;
}

export interface Sink {
  kind: 'postgres' | 'pglite';
  findImported(path: string): Promise<ImportedFileRecord | undefined>;
  /**
   * Runs `load` and records the file with what it returns. Postgres: in one transaction, rolled
   * back on error, and `load` may be called again (from the start of the file, up to twice) when an
   * attempt had to be rolled back for a reason the sink can recover from. PGlite: batches
   * commit as they are written; on error the file stays recorded as in progress.
   * Resolves to the rows this run added.
   */
  loadFile(spec: TableSpec, start: FileStart, load: (writer: FileWriter) => Promise<FileEnd>): Promise<{ inserted: number }>;
}

const KEY_COLUMNS = {
  Model: ['id'],
  SourceSet: ['modelId', 'name'],
  Source: ['modelId', 'id'],
  Neuron: ['modelId', 'layer', 'index'],
} as const;
/** How much encoded COPY data may wait for Postgres before the reader pauses (bounds memory). */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;
/** Postgres error codes an attempt at a file recovers from. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
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

const keyOf = (row: Record<string, unknown>, table: keyof typeof KEY_COLUMNS) =>
  KEY_COLUMNS[table].map((c) => String(row[c])).join('\u0000');

/** Writes a file's record; `$12`: complete (else in progress). */
const RECORD_SQL = `INSERT INTO "ImportedFile" ("path", "location", "size", "sha256", "modifiedAt", "etag", "tableName", "lines", "rowsInserted", "rejected", "parentMissing", "completedAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $12::boolean THEN now() END)
  ON CONFLICT ("path") DO UPDATE SET "location" = EXCLUDED."location", "size" = EXCLUDED."size", "sha256" = EXCLUDED."sha256", "modifiedAt" = EXCLUDED."modifiedAt",
    "etag" = EXCLUDED."etag", "tableName" = EXCLUDED."tableName", "lines" = EXCLUDED."lines", "rowsInserted" = EXCLUDED."rowsInserted", "rejected" = EXCLUDED."rejected",
    "parentMissing" = EXCLUDED."parentMissing", "completedAt" = EXCLUDED."completedAt"`;

/** The record's parameters; `rowsInserted` counts the rows of every run that loaded the file. */
function recordParams(start: FileStart, end: FileEnd, rowsInserted: number, complete: boolean) {
  const { file, location } = start;
  return [
    file.key,
    location,
    file.size,
    end.sha256,
    file.modifiedAt ?? null,
    file.etag ?? null,
    file.table,
    end.lines,
    rowsInserted,
    end.rejected,
    end.parentMissing,
    complete,
  ];
}

const IN_PROGRESS: FileEnd = { lines: 0, rejected: 0, parentMissing: 0, sha256: '' };

const FIND_SQL = `SELECT "path", "location", "size"::float8 AS "size", "sha256", "modifiedAt", "etag", "tableName", "lines", "rowsInserted", "rejected", "parentMissing",
  "completedAt" IS NOT NULL AS "complete" FROM "ImportedFile" WHERE "path" = $1`;

export function sinkFor(database: Database): Sink {
  if (database.pglite) return pgliteSink(database.pglite);
  if (database.pool) return postgresSink(database.pool);
  throw new Error('sinkFor: unknown database');
}

function pgliteSink(db: PGlite): Sink {
  // Rows per statement adapt so that one statement (one transaction) holds PGlite for about this
  // long: 2,000 narrow rows take a few tens of ms, but explanation rows with an HNSW-indexed
  // embedding take milliseconds each, and a reader waits for the whole statement.
  const STATEMENT_MS = 25;
  const MAX_ROWS_PER_STATEMENT = 2000;
  const rowsPerStatement = new Map<string, number>();
  const COUNT_SQL = `UPDATE "ImportedFile" SET "rowsInserted" = "rowsInserted" + $2 WHERE "path" = $1`;
  const FINISH_SQL = `UPDATE "ImportedFile" SET "sha256" = $2, "lines" = $3, "rejected" = $4, "parentMissing" = $5, "completedAt" = now() WHERE "path" = $1`;
  return {
    kind: 'pglite',
    async findImported(path) {
      return (await db.query<ImportedFileRecord>(FIND_SQL, [path])).rows[0];
    },
    async loadFile(spec, start, load) {
      const columns = spec.columns.map((c) => quote(c.name)).join(', ');
      const insert = `INSERT INTO ${quote(spec.name)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${quote(spec.name)}, $1::json) ON CONFLICT DO NOTHING`;
      const key = start.file.key;
      // In progress, keeping the rows counted by earlier runs (they are still in the table).
      await db.query(RECORD_SQL, recordParams(start, IN_PROGRESS, start.previous?.rowsInserted ?? 0, false));
      let inserted = 0;
      // Start small on a table not seen yet: one slow first statement is a stalled reader.
      let perStatement = rowsPerStatement.get(spec.name) ?? 10;
      const writer: FileWriter = {
        // Batches commit one by one here: a foreign key failing mid-file would leave half of it in.
        checkParents: true,
        async write(rows) {
          for (let i = 0; i < rows.length;) {
            const chunk = rows.slice(i, i + perStatement);
            i += chunk.length;
            const objects = chunk.map((row) => Object.fromEntries(spec.columns.map((c, j) => [c.name, row[j]])));
            const started = performance.now();
            // One short transaction per statement: readers get the database between them.
            await db.transaction(async (tx: Transaction) => {
              const added = (await tx.query(insert, [JSON.stringify(objects)])).affectedRows ?? 0;
              await tx.query(COUNT_SQL, [key, added]);
              inserted += added;
            });
            const rowsInTime = (chunk.length * STATEMENT_MS) / Math.max(1, performance.now() - started);
            perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, 2 * perStatement, Math.round(rowsInTime)));
            rowsPerStatement.set(spec.name, perStatement);
            // Back to the event loop: PGlite's awaits resolve as microtasks, so without this a run of
            // statements never lets a waiting request in, however short each one is.
            await new Promise((resolve) => setImmediate(resolve));
          }
        },
        async existing(table, keys) {
          if (keys.length === 0) return new Set();
          const result = await db.query<Record<string, unknown>>(existingQuery(table), [keysToJson(table, keys)]);
          return new Set(result.rows.map((row) => keyOf(row, table)));
        },
      };
      const end = await load(writer);
      await db.query(FINISH_SQL, [key, end.sha256, end.lines, end.rejected, end.parentMissing]);
      return { inserted };
    },
  };
}

function postgresSink(pool: pg.Pool): Sink {
  /**
   * One attempt at a file. `direct`: COPY straight into the table, which is as fast as psql's own
   * \copy and is right whenever none of the file's rows exist yet (the usual case: a file not yet
   * recorded has no committed rows). Otherwise COPY into a staging table and merge with
   * ON CONFLICT DO NOTHING, which is idempotent whatever the table holds. `checkParents`: see
   * FileWriter; without it a missing parent fails the attempt with a foreign key violation.
   */
  async function attempt(
    spec: TableSpec,
    start: FileStart,
    load: (writer: FileWriter) => Promise<FileEnd>,
    { direct, checkParents }: { direct: boolean; checkParents: boolean },
  ) {
    const client = await pool.connect();
    let copy: ReturnType<typeof copyFrom> | undefined;
    let binary = false;
    let broken = false;
    try {
      await client.query('BEGIN');
      const stage = quote(`import_stage_${spec.name}`);
      if (!direct) await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${quote(spec.name)} INCLUDING DEFAULTS) ON COMMIT DROP`);
      const columns = spec.columns.map((c) => quote(c.name)).join(', ');
      const writer: FileWriter = {
        checkParents,
        async write(rows) {
          if (rows.length === 0) return;
          copy ??= client.query(copyFrom(`COPY ${direct ? quote(spec.name) : stage} (${columns}) FROM STDIN`));
          copy.write(encodeCopyRows(rows, spec.columns));
          // Keep a few MB in flight so Postgres loads while the next batch is parsed; wait beyond that.
          if (copy.writableLength > COPY_BUFFER_BYTES) await once(copy, 'drain');
        },
        async writeEncoded(data, format) {
          if (data.length === 0) return;
          if (!copy) {
            binary = format === 'binary';
            copy = client.query(
              copyFrom(`COPY ${direct ? quote(spec.name) : stage} (${columns}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`),
            );
            if (binary) copy.write(binaryCopyHeader());
          }
          copy.write(data);
          if (copy.writableLength > COPY_BUFFER_BYTES) await once(copy, 'drain');
        },
        async existing(table, keys) {
          if (keys.length === 0) return new Set();
          // Another connection: this one is busy with the COPY, and parents come from earlier, committed files.
          const result = await pool.query<Record<string, unknown>>(existingQuery(table), [keysToJson(table, keys)]);
          return new Set(result.rows.map((row) => keyOf(row, table)));
        },
      };
      const end = await load(writer);
      if (copy) {
        if (binary) copy.write(BINARY_COPY_TRAILER);
        copy.end();
        await finished(copy);
      }
      let inserted = copy?.rowCount ?? 0;
      if (!direct)
        inserted =
          (await client.query(`INSERT INTO ${quote(spec.name)} (${columns}) SELECT ${columns} FROM ${stage} ON CONFLICT DO NOTHING`))
            .rowCount ?? 0;
      await client.query(RECORD_SQL, recordParams(start, end, (start.previous?.rowsInserted ?? 0) + inserted, true));
      await client.query('COMMIT');
      return { inserted };
    } catch (error) {
      broken = true;
      // The server answers the cancelled COPY with an error of its own: expected, not uncaught.
      copy?.on('error', () => {});
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
    async loadFile(spec, start, load) {
      // A retried file has rows in the table already: merge from the start.
      let direct = !start.previous?.rowsInserted;
      // Checking parents batch by batch costs a query per batch on the importer's busiest thread,
      // and the foreign keys check each row anyway: only a file that had rows without a parent last
      // time starts checked. (A table whose loader checks no parent fails its checked attempt too.)
      let checkParents = Boolean(start.previous?.parentMissing);
      for (;;) {
        try {
          return await attempt(spec, start, load, { direct, checkParents });
        } catch (error) {
          const code = (error as { code?: string }).code;
          // Some rows exist already (the bookkeeping was lost, or another file held them): merge instead.
          if (code === UNIQUE_VIOLATION && direct) direct = false;
          // A row's parent is missing: read the file again, leaving out and reporting such rows.
          else if (code === FOREIGN_KEY_VIOLATION && !checkParents) checkParents = true;
          else throw error;
        }
      }
    },
  };
}
