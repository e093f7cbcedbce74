// Turns one line of an export file into a row (or the reason it cannot be one), and what the
// loaders need to know of each table: its spec, the parent row its rows need, batch limits.
// Kept apart from load-lines.ts (which reads files, over HTTP too) so that the parse worker
// (parse-worker/worker.ts) loads no more than it uses.
import type { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../db/schema/index.js';
import { RecordError, toRow } from './to-row.js';
import { tableSpec, type TableSpec, type Value } from '../db/import/table-spec.js';

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
export const PARENTS: Record<
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

export const OWNED_TABLES = new Set(['Model', 'SourceSet', 'Source', 'SourceRelease']);
/** A reject keeps this much of its line: enough to find and fix a record, not a copy of a bomb. */
export const RAW_LIMIT = 64 * 1024;
/** A batch is written once its lines hold this many characters, whatever its row count (bounds memory on wide lines). */
export const BATCH_CHARS = 2 * 1024 * 1024;

export type Converted = { row: Value[]; parentKey?: string[] } | { reason: string };

/**
 * Converts one line of a `table` file: its row and parent key, or why the record is unusable.
 * Shared by the in-thread load (load-lines.ts) and the parse worker (parse-worker/worker.ts).
 */
export function lineConverter(
  table: string,
  options: { visibility?: 'PUBLIC' | 'UNLISTED' | 'PRIVATE'; ownerId?: string },
): (raw: string) => Converted {
  const spec = specFor(table);
  const parent = PARENTS[table];
  const overrideOwner = OWNED_TABLES.has(table) && (options.visibility || options.ownerId);
  return (raw) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      return { reason: `malformed JSON: ${(error as Error).message}` };
    }
    try {
      if (overrideOwner && record && typeof record === 'object') {
        if (options.visibility) record.visibility = options.visibility;
        if (options.ownerId) record.creatorId = options.ownerId;
      }
      // The exporter's activations carry attention indices as zIndices [[k...], [q...]].
      if (table === 'Activation' && Array.isArray(record?.zIndices)) {
        record.zKIndices ??= record.zIndices[0];
        record.zQIndices ??= record.zIndices[1];
      }
      const row = toRow(spec, record);
      return { row, parentKey: parent?.fields.map((f) => String(record[f])) };
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      return { reason: error.message };
    }
  };
}
