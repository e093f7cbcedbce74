// Imports an export (folder or URL) into the database: each file streamed line by line, records
// checked and converted, written in batches inside one transaction per file together with the
// file's ImportedFile record. Re-running skips recorded files (idempotent); a killed run resumes at
// the first unrecorded file; bad records are reported, never silently dropped.
import { analyzeTables } from '../db/analyze.js';
import type { Database } from '../db/client.js';
import * as schema from '../db/schema/index.js';
import type { PgTable } from 'drizzle-orm/pg-core';
import { discoverExport, type ExportFile, type LayoutFilter } from './layout.js';
import { hashFile, openLines } from './read-lines.js';
import { sinkFor, type FileWriter, type ImportedFileRecord } from './sinks.js';
import { RecordError, tableSpec, toRow, type TableSpec, type Value } from './to-row.js';

const TABLES: Record<string, PgTable> = {
  Model: schema.model,
  SourceRelease: schema.sourceRelease,
  SourceSet: schema.sourceSet,
  Source: schema.source,
  Neuron: schema.neuron,
  Activation: schema.activation,
  Explanation: schema.explanation,
  ExplanationType: schema.explanationType,
  ExplanationModelType: schema.explanationModelType,
  ExplanationScoreType: schema.explanationScoreType,
  ExplanationScoreModel: schema.explanationScoreModel,
  EvalType: schema.evalType,
};

const specs = new Map<string, TableSpec>();
function specFor(table: string): TableSpec {
  let spec = specs.get(table);
  if (!spec) {
    spec = tableSpec(TABLES[table]!, table);
    specs.set(table, spec);
  }
  return spec;
}

/** Which parent row each table's rows need, as (parent table, key fields). */
const PARENTS: Record<string, { table: 'Model' | 'SourceSet' | 'Source' | 'Neuron'; fields: string[]; describe: (key: string[]) => string } | undefined> = {
  SourceSet: { table: 'Model', fields: ['modelId'], describe: ([m]) => `model ${m} is not in the database` },
  Source: { table: 'SourceSet', fields: ['modelId', 'setName'], describe: ([m, s]) => `source set ${s} of model ${m} is not in the database` },
  Neuron: { table: 'Source', fields: ['modelId', 'layer'], describe: ([m, l]) => `source ${l} of model ${m} is not in the database` },
  Activation: { table: 'Neuron', fields: ['modelId', 'layer', 'index'], describe: ([m, l, i]) => `feature ${m}/${l}/${i} is not in the database` },
  Explanation: { table: 'Neuron', fields: ['modelId', 'layer', 'index'], describe: ([m, l, i]) => `feature ${m}/${l}/${i} is not in the database` },
};

export interface Reject {
  file: string;
  /** 1-based line number; 0 when the whole file failed before its first line. */
  line: number;
  reason: string;
  raw: string;
}

export type ImportEvent =
  | { type: 'start'; files: ExportFile[]; totalBytes: number }
  | { type: 'file-start'; file: ExportFile; index: number }
  | { type: 'progress'; file: ExportFile; bytesRead: number; lines: number }
  | { type: 'file-done'; file: ExportFile; status: 'imported' | 'skipped' | 'changed' | 'failed'; lines: number; inserted: number; rejected: number; message?: string };

export interface ImportOptions extends LayoutFilter {
  location: string;
  /** Stop when more records than this were rejected (default: never). */
  maxErrors?: number;
  /** Make imported models, source sets, sources and releases PRIVATE (or UNLISTED) and owned by this user id. */
  visibility?: 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
  ownerId?: string;
  onEvent?: (event: ImportEvent) => void;
  onReject?: (reject: Reject) => void;
  /** Rows per batch written to the database. */
  batchSize?: number;
}

export interface TableCounts {
  lines: number;
  inserted: number;
  rejected: number;
}

export interface ImportSummary {
  files: { total: number; imported: number; skipped: number; changed: number; failed: number };
  tables: Record<string, TableCounts>;
  rejected: number;
  bytes: number;
  elapsedMs: number;
  stoppedEarly: boolean;
  changedFiles: string[];
}

export class MaxErrorsExceeded extends Error {}

const OWNED_TABLES = new Set(['Model', 'SourceSet', 'Source', 'SourceRelease']);

export async function importExport(database: Database, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const sink = sinkFor(database);
  const files = await discoverExport(options.location, options);
  const summary: ImportSummary = {
    files: { total: files.length, imported: 0, skipped: 0, changed: 0, failed: 0 },
    tables: {},
    rejected: 0,
    bytes: 0,
    elapsedMs: 0,
    stoppedEarly: false,
    changedFiles: [],
  };
  options.onEvent?.({ type: 'start', files, totalBytes: files.reduce((sum, f) => sum + f.size, 0) });
  /** Counts and reports a reject; throws MaxErrorsExceeded past the limit (after reporting it). */
  const reject = (r: Reject) => {
    summary.rejected++;
    options.onReject?.(r);
    if (options.maxErrors !== undefined && summary.rejected > options.maxErrors) {
      throw new MaxErrorsExceeded(`more than ${options.maxErrors} records rejected (--max-errors)`);
    }
  };

  for (const [index, file] of files.entries()) {
    options.onEvent?.({ type: 'file-start', file, index });
    const counts = (summary.tables[file.table] ??= { lines: 0, inserted: 0, rejected: 0 });
    const previous = await sink.findImported(file.key);
    if (previous) {
      const changed = await hasChanged(file, previous);
      summary.bytes += file.size;
      if (changed) {
        summary.files.changed++;
        summary.changedFiles.push(file.key);
      } else summary.files.skipped++;
      options.onEvent?.({
        type: 'file-done', file, status: changed ? 'changed' : 'skipped', lines: 0, inserted: 0, rejected: 0,
        message: changed ? `${file.key} changed since it was imported (${changed}); left as imported` : undefined,
      });
      continue;
    }
    let lines = 0;
    // Rejects are held until the file's fate is known: the sink may read a file twice (see Sink.loadFile).
    let fileRejects: Reject[] = [];
    const flushRejects = () => {
      for (const r of fileRejects) reject(r);
      counts.rejected += fileRejects.length;
      const n = fileRejects.length;
      fileRejects = [];
      return n;
    };
    try {
      const { inserted } = await sink.loadFile(specFor(file.table), async (writer) => {
        fileRejects = [];
        const result = await loadLines(file, writer, options, (r) => {
          fileRejects.push(r);
          if (options.maxErrors !== undefined && summary.rejected + fileRejects.length > options.maxErrors) {
            throw new MaxErrorsExceeded(`more than ${options.maxErrors} records rejected (--max-errors)`);
          }
        }, (n, bytes) => {
          lines = n;
          options.onEvent?.({ type: 'progress', file, bytesRead: bytes, lines: n });
        });
        lines = result.lines;
        return result.record;
      });
      summary.files.imported++;
      summary.bytes += file.size;
      counts.lines += lines;
      counts.inserted += inserted;
      const rejected = flushRejects();
      options.onEvent?.({ type: 'file-done', file, status: 'imported', lines, inserted, rejected });
    } catch (error) {
      // The file's transaction was rolled back: nothing of it is stored, and a re-run retries it.
      summary.files.failed++;
      const stop = error instanceof MaxErrorsExceeded;
      const message = stop ? (error as Error).message : `file not imported: ${(error as Error).message}`;
      let rejected = 0;
      try {
        rejected = flushRejects();
        if (!stop) {
          rejected++;
          reject({ file: file.key, line: lines, reason: message, raw: '' });
        }
      } catch (limit) {
        if (!(limit instanceof MaxErrorsExceeded)) throw limit;
        summary.stoppedEarly = true;
      }
      if (stop) summary.stoppedEarly = true;
      options.onEvent?.({ type: 'file-done', file, status: 'failed', lines, inserted: 0, rejected, message });
      if (summary.stoppedEarly) break;
    }
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
async function hasChanged(file: ExportFile, previous: ImportedFileRecord): Promise<string | undefined> {
  if (Number(previous.size) !== file.size) return `size ${previous.size} then, ${file.size} now`;
  if (file.etag && previous.etag && file.etag !== previous.etag) return 'ETag differs';
  if (file.modifiedAt && previous.modifiedAt && file.modifiedAt !== previous.modifiedAt && !file.etag) {
    // Same size, touched since: only the content can tell.
    if ((await hashFile(file.location)) !== previous.sha256) return 'content (SHA-256) differs';
  }
  return undefined;
}

interface Pending {
  row: Value[];
  line: number;
  raw: string;
  parentKey?: string[];
}

async function loadLines(
  file: ExportFile,
  writer: FileWriter,
  options: ImportOptions,
  reject: (r: Reject) => void,
  progress: (lines: number, bytes: number) => void,
): Promise<{ lines: number; record: ImportedFileRecord }> {
  const spec = specFor(file.table);
  const parent = PARENTS[file.table];
  const batchSize = options.batchSize ?? 2000;
  const overrideOwner = OWNED_TABLES.has(file.table) && (options.visibility || options.ownerId);
  const source = await openLines(file.location, file.key.endsWith('.gz'));
  let pending: Pending[] = [];
  let lineNumber = 0;
  let lastProgress = 0;
  let rejected = 0;
  const rejectHere = (r: Reject) => {
    rejected++;
    reject(r);
  };

  const flush = async () => {
    if (pending.length === 0) return;
    let rows = pending;
    if (parent) {
      const keys = [...new Map(rows.map((p) => [p.parentKey!.join('\u0000'), p.parentKey!])).values()];
      const existing = await writer.existing(parent.table, keys);
      rows = [];
      for (const p of pending) {
        if (existing.has(p.parentKey!.join('\u0000'))) rows.push(p);
        else rejectHere({ file: file.key, line: p.line, reason: `parent missing: ${parent.describe(p.parentKey!)}`, raw: p.raw });
      }
    }
    await writer.write(rows.map((p) => p.row));
    pending = [];
  };

  for await (const raw of source.lines) {
    lineNumber++;
    if (raw.trim() === '') continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      rejectHere({ file: file.key, line: lineNumber, reason: `malformed JSON: ${(error as Error).message}`, raw });
      continue;
    }
    try {
      if (overrideOwner && record && typeof record === 'object') {
        if (options.visibility) record.visibility = options.visibility;
        if (options.ownerId) record.creatorId = options.ownerId;
      }
      // The exporter's activations carry attention indices as zIndices [[k...], [q...]].
      if (file.table === 'Activation' && Array.isArray(record?.zIndices)) {
        record.zKIndices ??= record.zIndices[0];
        record.zQIndices ??= record.zIndices[1];
      }
      const row = toRow(spec, record);
      const parentKey = parent?.fields.map((f) => String(record[f]));
      pending.push({ row, line: lineNumber, raw, parentKey });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      rejectHere({ file: file.key, line: lineNumber, reason: error.message, raw });
      continue;
    }
    if (pending.length >= batchSize) await flush();
    if (lineNumber - lastProgress >= 5000) {
      lastProgress = lineNumber;
      progress(lineNumber, source.bytesRead());
    }
  }
  await flush();
  progress(lineNumber, source.bytesRead());
  return {
    lines: lineNumber,
    record: {
      path: file.key,
      location: options.location,
      size: file.size,
      sha256: source.sha256(),
      modifiedAt: file.modifiedAt ?? null,
      etag: file.etag ?? null,
      tableName: file.table,
      lines: lineNumber,
      rejected,
    },
  };
}
