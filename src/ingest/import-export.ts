// Imports an export (folder or URL) into the database: each file streamed line by line, records
// checked and converted, written in batches together with the file's ImportedFile record (see
// sinks.ts for how each database commits). Re-running skips recorded files (idempotent); a killed
// run resumes at the first unrecorded (or, embedded, unfinished) file; bad records are reported as
// they come, never silently dropped and never held in memory. A file whose parent file was not
// loaded is blocked (not recorded), and a recorded file that had rows with a missing parent is
// retried, so a repaired export re-imported ends with the tables of a clean import.
import { analyzeTables } from '../db/analyze.js';
import type { Database } from '../db/client.js';
import { openClaims } from '../db/import/claims.js';
import { FileSchedule, type Scheduled } from './dependencies.js';
import type { ExportNetworkOptions, ExportRequestOptions } from './export-http.js';
import { discoverExport, type ExportFile, type LayoutFilter } from './layout.js';
import { PARENT_MISSING } from './line-convert.js';
import { loadLines, specFor, type Reject } from './load-lines.js';
import { loadLinesInWorker, ParseWorkers } from './parse-worker/host.js';
import { hashFile } from './read-lines.js';
import { sinkFor, type ImportedFileRecord } from '../db/import/sinks.js';

/**
 * Files in flight for `npm run import` (and its benchmark) unless --jobs says otherwise: one file
 * keeps about one core parsing (its worker) and one in its COPY, and a second fills the gaps where
 * each waits on the other (2 cores: 0.82 of psql's \copy with one file, 1.03 with two; bench:import).
 */
export const DEFAULT_IMPORT_JOBS = 2;

export type { Reject } from './load-lines.js';

/** Lines longer than this are rejected unread (MAX_LINE_BYTES). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Files at least this big (stored bytes) are parsed in a worker thread where the sink takes encoded rows. */
export const DEFAULT_WORKER_MIN_BYTES = 256 * 1024;

export type FileStatus = 'imported' | 'skipped' | 'changed' | 'failed' | 'blocked';

export type ImportEvent =
  | { type: 'start'; files: ExportFile[]; totalBytes: number }
  | { type: 'file-start'; file: ExportFile; index: number }
  | { type: 'progress'; file: ExportFile; bytesRead: number; lines: number }
  | {
      type: 'file-done';
      file: ExportFile;
      status: FileStatus;
      lines: number;
      inserted: number;
      rejected: number;
      message?: string;
      /** Loaded again because rows of it had a missing parent last time (status imported or failed). */
      retried?: boolean;
      /** An earlier run stopped inside it (embedded database): read again, keeping the rows it had committed. */
      resumed?: boolean;
    };

export interface ImportOptions extends LayoutFilter {
  location: string;
  /** Stop when more records than this were rejected (default: never). */
  maxErrors?: number;
  /** Lines longer than this many bytes are rejected (default 16 MiB). */
  maxLineBytes?: number;
  /** Make imported models, source sets, sources and releases PRIVATE (or UNLISTED) and owned by this user id. */
  visibility?: 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
  ownerId?: string;
  onEvent?: (event: ImportEvent) => void;
  /** Each reject, once, as it is found. A returned promise is awaited (backpressure for a slow report). */
  onReject?: (reject: Reject) => unknown;
  /** Rows per batch written to the database. */
  batchSize?: number;
  /** Cancels the import (e.g. the admin route's client went away). */
  signal?: AbortSignal;
  /** Address policy and timeouts for export URLs. */
  network?: ExportNetworkOptions;
  /** Files loaded at once, each on its own connection (Postgres only; default 1, npm run import's DEFAULT_IMPORT_JOBS). */
  jobs?: number;
  /**
   * Files of at least this many stored bytes are parsed, converted and encoded in a worker thread
   * while the main thread streams them into COPY (Postgres; default 256 KiB; Infinity: never).
   */
  workerMinBytes?: number;
  /** Parse workers to use (default: the import's own, closed when it ends). */
  parseWorkers?: ParseWorkers;
}

export interface TableCounts {
  lines: number;
  inserted: number;
  rejected: number;
}

export interface ImportSummary {
  files: {
    total: number;
    imported: number;
    skipped: number;
    changed: number;
    failed: number;
    blocked: number;
    retried: number;
    resumed: number;
  };
  tables: Record<string, TableCounts>;
  rejected: number;
  bytes: number;
  elapsedMs: number;
  stoppedEarly: boolean;
  changedFiles: string[];
  /** Files not loaded because a file they depend on was not: each with the first such file. */
  blockedFiles: { file: string; blockedBy: string }[];
  /** Files loaded again because rows of theirs had a missing parent last time. */
  retriedFiles: string[];
}

export class MaxErrorsExceeded extends Error {}
/** The import was cancelled through its signal (the admin route's client went away). */
export class ImportCancelledError extends Error {}

export async function importExport(database: Database, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const sink = sinkFor(database);
  const http: ExportRequestOptions = { network: options.network, signal: options.signal };
  const files = await discoverExport(options.location, options, http);
  const summary: ImportSummary = {
    files: { total: files.length, imported: 0, skipped: 0, changed: 0, failed: 0, blocked: 0, retried: 0, resumed: 0 },
    tables: {},
    rejected: 0,
    bytes: 0,
    elapsedMs: 0,
    stoppedEarly: false,
    changedFiles: [],
    blockedFiles: [],
    retriedFiles: [],
  };
  options.onEvent?.({ type: 'start', files, totalBytes: files.reduce((sum, f) => sum + f.size, 0) });
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // One loop per file in flight, each on its own connection (the embedded database has one).
  const jobs = sink.kind === 'pglite' ? 1 : Math.max(1, options.jobs ?? 1);
  const claims = await openClaims(database);
  const schedule = new FileSchedule(files, claims);
  // One parse worker per loop at most, kept from file to file.
  const workers = options.parseWorkers ?? new ParseWorkers(maxLineBytes);
  const workerMinBytes = options.workerMinBytes ?? DEFAULT_WORKER_MIN_BYTES;
  // The loops' workers start now, while the first (small) files load, not in the middle of the big ones.
  if (sink.kind === 'postgres') workers.prestart(Math.min(jobs, files.filter((f) => f.size >= workerMinBytes).length));

  const importOne = async ({ file, index, blockedBy }: Scheduled): Promise<boolean> => {
    if (options.signal?.aborted) throw new ImportCancelledError(`import cancelled before ${file.key}`);
    options.onEvent?.({ type: 'file-start', file, index });
    const counts = (summary.tables[file.table] ??= { lines: 0, inserted: 0, rejected: 0 });
    const done = (
      status: FileStatus,
      rest: { lines?: number; inserted?: number; rejected?: number; message?: string; retried?: boolean; resumed?: boolean } = {},
    ) => options.onEvent?.({ type: 'file-done', file, status, lines: 0, inserted: 0, rejected: 0, ...rest });
    // Read under the claim: a file another importer finished meanwhile is skipped here (as is a
    // blocked file imported by an earlier run).
    const previous = await sink.findImported(file.key);
    if (previous?.complete && previous.parentMissing === 0) {
      const changed = await hasChanged(file, previous, http);
      summary.bytes += file.size;
      if (changed) {
        summary.files.changed++;
        summary.changedFiles.push(file.key);
      } else summary.files.skipped++;
      done(changed ? 'changed' : 'skipped', {
        message: changed ? `${file.key} changed since it was imported (${changed}); left as imported` : undefined,
      });
      return true;
    }
    if (blockedBy) {
      summary.files.blocked++;
      summary.blockedFiles.push({ file: file.key, blockedBy: blockedBy.key });
      done('blocked', { message: `${file.key} not loaded: ${blockedBy.key}, which it depends on, was not imported` });
      return false;
    }
    const retried = Boolean(previous?.complete);
    const resumed = Boolean(previous && !previous.complete);

    // Rejects go out batch by batch; a further read of the file (see Sink.loadFile) skips the lines
    // already reported, so each reject is counted once and none is kept. Missing parents are
    // reported only by a read that checks them, and counted apart: a first read without checks
    // has reported the file's other rejects through its end, but none of those.
    let reportedThrough = 0;
    let parentsReportedThrough = 0;
    let rejected = 0;
    let lines = 0;
    const reject = async (r: Reject) => {
      rejected++;
      counts.rejected++;
      summary.rejected++;
      const waiting = options.onReject?.(r);
      if (waiting instanceof Promise) await waiting;
      if (options.maxErrors !== undefined && summary.rejected > options.maxErrors) {
        throw new MaxErrorsExceeded(`more than ${options.maxErrors} records rejected (--max-errors)`);
      }
    };
    try {
      const { inserted } = await sink.loadFile(specFor(file.table), { file, location: options.location, previous }, async (writer) => {
        const inWorker = writer.writeEncoded !== undefined && file.size >= workerMinBytes;
        const result = await (inWorker ? loadLinesInWorker.bind(null, workers) : loadLines)(
          file,
          writer,
          { ...options, maxLineBytes, http },
          async (batch, through) => {
            for (const r of batch) {
              const parentMissing = r.reason.startsWith(PARENT_MISSING);
              if (r.line > (parentMissing ? parentsReportedThrough : reportedThrough)) await reject(r);
            }
            reportedThrough = Math.max(reportedThrough, through);
            if (writer.checkParents) parentsReportedThrough = Math.max(parentsReportedThrough, through);
          },
          (n, bytes) => {
            lines = n;
            options.onEvent?.({ type: 'progress', file, bytesRead: bytes, lines: n });
          },
        );
        lines = result.lines;
        return result;
      });
      summary.files.imported++;
      if (retried) {
        summary.files.retried++;
        summary.retriedFiles.push(file.key);
      }
      if (resumed) summary.files.resumed++;
      summary.bytes += file.size;
      counts.lines += lines;
      counts.inserted += inserted;
      const message = retried
        ? `${file.key} retried: ${previous!.parentMissing} rows had a missing parent last time; ${inserted} rows added`
        : resumed
          ? `${file.key} resumed: an earlier import stopped inside it`
          : undefined;
      done('imported', { lines, inserted, rejected, message, retried, resumed });
      return true;
    } catch (error) {
      if (options.signal?.aborted) throw new ImportCancelledError(`import cancelled in ${file.key}`);
      // Postgres rolled the file back; the embedded database keeps its committed batches and its
      // record in progress. Either way a re-run loads it again, and files that depend on it wait.
      summary.files.failed++;
      const stop = error instanceof MaxErrorsExceeded;
      const message = stop ? (error as Error).message : `file not imported: ${(error as Error).message}`;
      if (stop) summary.stoppedEarly = true;
      else {
        try {
          await reject({ file: file.key, line: lines, reason: message, raw: '' });
        } catch (limit) {
          if (!(limit instanceof MaxErrorsExceeded)) throw limit;
          summary.stoppedEarly = true;
        }
      }
      done('failed', { lines, rejected, message, retried, resumed });
      if (summary.stoppedEarly) schedule.stop();
      return false;
    }
  };

  const loop = async () => {
    for (let next = await schedule.next(); next; next = await schedule.next()) {
      let loaded = false;
      try {
        loaded = await importOne(next);
      } finally {
        if (!next.blockedBy) await schedule.done(next, loaded);
      }
    }
  };
  try {
    const results = await Promise.allSettled(
      Array.from({ length: jobs }, () =>
        loop().catch((error) => {
          schedule.stop();
          throw error;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await Promise.all([claims.close(), options.parseWorkers ? undefined : workers.close()]);
  }
  // Fresh planner statistics for what was written (the embedded database has no autovacuum).
  await analyzeTables(
    database.db,
    Object.entries(summary.tables)
      .filter(([, counts]) => counts.inserted > 0)
      .map(([table]) => table),
  );
  summary.elapsedMs = performance.now() - started;
  return summary;
}

/** A reason when `file` differs from what was imported under its key, else undefined. */
async function hasChanged(file: ExportFile, previous: ImportedFileRecord, http: ExportRequestOptions): Promise<string | undefined> {
  if (Number(previous.size) !== file.size) return `size ${previous.size} then, ${file.size} now`;
  if (file.etag && previous.etag && file.etag !== previous.etag) return 'ETag differs';
  if (file.modifiedAt && previous.modifiedAt && file.modifiedAt !== previous.modifiedAt && !file.etag) {
    // Same size, touched since: only the content can tell.
    if ((await hashFile(file.location, http)) !== previous.sha256) return 'content (SHA-256) differs';
  }
  return undefined;
}
