// Turns one exported record into a row for a table, driven by the drizzle schema: every column of
// the table, in order, with the value converted and checked for its type. Extra fields are
// ignored; absent ones get the column's default. Pure and synchronous (tested without streams).
import { type ColumnSpec, type TableSpec, type Value } from '../db/import/table-spec.js';

export class RecordError extends Error {}

/** Postgres text cannot hold NUL; upstream replaces it with a space, and so do we. */
const stripNul = (text: string) => (text.includes('\u0000') ? text.replaceAll('\u0000', ' ') : text);

/** Python's isoformat() writes naive UTC datetimes without a zone: read them as UTC. */
function toTimestamp(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new RecordError(`${field}: expected a date string, got ${describe(value)}`);
  const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new RecordError(`${field}: not a valid date: ${JSON.stringify(value).slice(0, 60)}`);
  return date.toISOString();
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`
    : `${typeof value} ${String(value).slice(0, 40)}`;
}

function scalar(spec: ColumnSpec, value: unknown, field: string): Value {
  if (value === null) {
    if (spec.notNull && !spec.array) throw new RecordError(`${field}: must not be null`);
    return null;
  }
  switch (spec.kind) {
    case 'text':
      if (typeof value === 'string') return stripNul(value);
      if (typeof value === 'number') return String(value); // e.g. a numeric feature index
      throw new RecordError(`${field}: expected a string, got ${describe(value)}`);
    case 'float':
      // 1e999 parses as Infinity; Postgres would store it, and every JSON read of the row would fail.
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw new RecordError(`${field}: expected a finite number, got ${describe(value)}`);
    case 'integer':
    case 'bigint':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw new RecordError(`${field}: expected an integer, got ${describe(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw new RecordError(`${field}: expected true or false, got ${describe(value)}`);
    case 'json':
      return value as Value;
    case 'timestamp':
      return toTimestamp(value, field);
    case 'enum':
      if (typeof value === 'string' && spec.enumValues?.includes(value)) return value;
      throw new RecordError(`${field}: expected one of ${spec.enumValues?.join(', ')}, got ${describe(value)}`);
    case 'vector': {
      // pgvector's text form "[0.1,0.2,...]" as the exporter writes it, or a JSON array.
      const values = typeof value === 'string' ? parseVectorText(value, field) : value;
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new RecordError(`${field}: expected a vector like "[0.1,0.2]", got ${describe(value)}`);
      }
      if (spec.dimensions && values.length !== spec.dimensions)
        throw new RecordError(`${field}: expected ${spec.dimensions} dimensions, got ${values.length}`);
      return `[${values.join(',')}]`;
    }
  }
}

function parseVectorText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RecordError(`${field}: not a vector: ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/** The row for `spec`, in column order; throws RecordError naming the field when the record is unusable. */
export function toRow(spec: TableSpec, record: unknown): Value[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    throw new RecordError(`expected a JSON object, got ${describe(record)}`);
  const fields = record as Record<string, unknown>;
  return spec.columns.map((column) => {
    const value = fields[column.name];
    if (value === undefined) {
      if (!column.fallback) throw new RecordError(`${column.name}: required field is missing`);
      return column.fallback();
    }
    if (!column.array) return scalar(column, value, column.name);
    if (value === null) {
      if (column.notNull) return column.fallback ? column.fallback() : [];
      return null;
    }
    if (!Array.isArray(value)) throw new RecordError(`${column.name}: expected an array, got ${describe(value)}`);
    return arrayOf(column, value);
  });
}

/** Checks an array's elements; returns the same array when nothing needs converting (the common case). */
function arrayOf(column: ColumnSpec, values: unknown[]): Value[] {
  const n = values.length;
  if (column.kind === 'float') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v !== null && !(typeof v === 'number' && Number.isFinite(v)))
        throw new RecordError(`${column.name}[${i}]: expected a finite number, got ${describe(v)}`);
    }
    return values as Value[];
  }
  if (column.kind === 'integer') {
    for (let i = 0; i < n; i++)
      if (!Number.isInteger(values[i]) && values[i] !== null)
        throw new RecordError(`${column.name}[${i}]: expected an integer, got ${describe(values[i])}`);
    return values as Value[];
  }
  if (column.kind === 'text') {
    let clean = true;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') {
        if (v === null) continue;
        throw new RecordError(`${column.name}[${i}]: expected a string, got ${describe(v)}`);
      }
      if (v.includes('\u0000')) clean = false;
    }
    return clean ? (values as Value[]) : (values as Array<string | null>).map((v) => (v === null ? null : stripNul(v)));
  }
  const element = elementSpecs.get(column) ?? { ...column, array: false, notNull: false };
  elementSpecs.set(column, element);
  return values.map((item, i) => scalar(element, item, `${column.name}[${i}]`));
}

const elementSpecs = new WeakMap<ColumnSpec, ColumnSpec>();
