// Reads one export file line by line, checks and converts each record, and hands rows to the sink's
// writer in batches. Rejects (bad JSON, bad fields, over-long lines, missing parents) are handed
// over batch by batch in line order, so the caller can stream them out and, when the sink reads the
// file a second time, skip those it already reported: nothing grows with the number of rejects.
import type { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../db/schema/index.js';
import type { ExportRequestOptions } from './export-http.js';
import type { ExportFile } from './layout.js';
import { openLines } from './read-lines.js';
import type { FileWriter } from '../db/import/sinks.js';
import { RecordError, toRow } from './to-row.js';
import { tableSpec, type TableSpec, type Value } from '../db/import/table-spec.js';

export interface Reject {
  file: string;
  /** 1-based line number; 0 when the whole file failed before its first line. */
  line: number;
  reason: string;
  /** The line as read, cut to its first RAW_LIMIT characters (an over-long line: its first few hundred bytes). */
  raw: string;
}

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
export function specFor(table: string): TableSpec {
  let spec = specs.get(table);
  if (!spec) {
    spec = tableSpec(TABLES[table]!, table);
    specs.set(table, spec);
  }
  return spec;
}

/** Which parent row each table's rows need, as (parent table, key fields). */
const PARENTS: Record<
  string,
  { table: 'Model' | 'SourceSet' | 'Source' | 'Neuron'; fields: string[]; describe: (key: string[]) => string } | undefined
> = {
  SourceSet: { table: 'Model', fields: ['modelId'], describe: ([m]) => `model ${m} is not in the database` },
  Source: {
    table: 'SourceSet',
    fields: ['modelId', 'setName'],
    describe: ([m, s]) => `source set ${s} of model ${m} is not in the database`,
  },
  Neuron: { table: 'Source', fields: ['modelId', 'layer'], describe: ([m, l]) => `source ${l} of model ${m} is not in the database` },
  Activation: {
    table: 'Neuron',
    fields: ['modelId', 'layer', 'index'],
    describe: ([m, l, i]) => `feature ${m}/${l}/${i} is not in the database`,
  },
  Explanation: {
    table: 'Neuron',
    fields: ['modelId', 'layer', 'index'],
    describe: ([m, l, i]) => `feature ${m}/${l}/${i} is not in the database`,
  },
};
export const PARENT_MISSING = 'parent missing: ';

const OWNED_TABLES = new Set(['Model', 'SourceSet', 'Source', 'SourceRelease']);
/** A reject keeps this much of its line: enough to find and fix a record, not a copy of a bomb. */
const RAW_LIMIT = 64 * 1024;
/** A batch is written once its lines hold this many characters, whatever its row count (bounds memory on wide lines). */
const BATCH_CHARS = 2 * 1024 * 1024;

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
  const spec = specFor(file.table);
  const parent = PARENTS[file.table];
  const batchSize = options.batchSize ?? 2000;
  const overrideOwner = OWNED_TABLES.has(file.table) && (options.visibility || options.ownerId);
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
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      rejectHere(lineNumber, `malformed JSON: ${(error as Error).message}`, raw);
      return;
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
      // The line is kept only to report a missing parent.
      pending.push({ row, line: lineNumber, raw: parent ? raw : '', parentKey });
      chars += raw.length;
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      rejectHere(lineNumber, error.message, raw);
    }
  }
}
