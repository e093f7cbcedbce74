// Reads one export file line by line, checks and converts each record, and hands rows to the sink's
// writer in batches. Rejects (bad JSON, bad fields, over-long lines, missing parents) are handed
// over batch by batch in line order, so the caller can stream them out and, when the sink reads the
// file a second time, skip those it already reported: nothing grows with the number of rejects.
import type { ExportRequestOptions } from './export-http.js';
import type { ExportFile } from './layout.js';
import { openLines } from './read-lines.js';
import type { FileWriter } from '../db/import/sinks.js';
import type { Value } from '../db/import/table-spec.js';
import { BATCH_CHARS, lineConverter, PARENT_MISSING, PARENTS, RAW_LIMIT } from './line-convert.js';

export { PARENT_MISSING, specFor } from './line-convert.js';

export interface Reject {
  file: string;
  /** 1-based line number; 0 when the whole file failed before its first line. */
  line: number;
  reason: string;
  /** The line as read, cut to its first RAW_LIMIT characters (an over-long line: its first few hundred bytes). */
  raw: string;
}

export interface LoadOptions {
  batchSize?: number;
  maxLineBytes: number;
  visibility?: 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
  ownerId?: string;
  http?: ExportRequestOptions;
}

export interface LoadResult {
  lines: number;
  rejected: number;
  parentMissing: number;
  sha256: string;
}

interface Pending {
  row: Value[];
  line: number;
  raw: string;
  parentKey?: string[];
}

/**
 * Loads `file` through `writer`. `report` receives each batch's rejects in line order together
 * with the last line the batch covered; it may throw to stop the load. `progress` follows each
 * batch written.
 */
export async function loadLines(
  file: ExportFile,
  writer: FileWriter,
  options: LoadOptions,
  report: (rejects: Reject[], throughLine: number) => Promise<void>,
  progress: (lines: number, bytes: number) => void,
): Promise<LoadResult> {
  const parent = writer.checkParents ? PARENTS[file.table] : undefined;
  const batchSize = options.batchSize ?? 2000;
  const convertLine = lineConverter(file.table, options);
  const source = await openLines(file.location, file.key.endsWith('.gz'), options.maxLineBytes, options.http);
  let pending: Pending[] = [];
  let rejects: Reject[] = [];
  let chars = 0;
  let lineNumber = 0;
  let rejected = 0;
  let parentMissing = 0;
  const rejectHere = (line: number, reason: string, raw: string) => {
    rejected++;
    rejects.push({ file: file.key, line, reason, raw: raw.length > RAW_LIMIT ? raw.slice(0, RAW_LIMIT) : raw });
    // All of it: a cut string still holds the whole line until it is reported.
    chars += raw.length;
  };

  const flush = async () => {
    let rows = pending;
    if (parent && rows.length > 0) {
      const keys = [...new Map(rows.map((p) => [p.parentKey!.join('\u0000'), p.parentKey!])).values()];
      const existing = await writer.existing(parent.table, keys);
      rows = [];
      for (const p of pending) {
        if (existing.has(p.parentKey!.join('\u0000'))) rows.push(p);
        else {
          parentMissing++;
          rejectHere(p.line, `${PARENT_MISSING}${parent.describe(p.parentKey!)}`, p.raw);
        }
      }
    }
    if (rejects.length > 0) {
      const batch = rejects.length > 1 ? rejects.sort((a, b) => a.line - b.line) : rejects;
      rejects = [];
      await report(batch, lineNumber);
    }
    if (rows.length > 0) await writer.write(rows.map((p) => p.row));
    pending = [];
    chars = 0;
    progress(lineNumber, source.bytesRead());
  };

  for await (const line of source.lines) {
    lineNumber = line.number;
    if ('tooLong' in line) {
      rejectHere(lineNumber, `line longer than MAX_LINE_BYTES (${options.maxLineBytes} bytes): ${line.bytes} bytes`, line.head);
    } else if (line.text.trim() !== '') {
      parseLine(line.text);
    }
    if (pending.length + rejects.length >= batchSize || chars >= BATCH_CHARS) await flush();
  }
  await flush();
  return { lines: lineNumber, rejected, parentMissing, sha256: source.sha256() };

  function parseLine(raw: string) {
    const converted = convertLine(raw);
    if ('reason' in converted) return rejectHere(lineNumber, converted.reason, raw);
    // The line is kept only to report a missing parent.
    pending.push({ row: converted.row, line: lineNumber, raw: parent ? raw : '', parentKey: converted.parentKey });
    chars += raw.length;
  }
}
