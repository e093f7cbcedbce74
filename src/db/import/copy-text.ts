// Encodes rows in Postgres COPY text format (tab-separated, \N for null), arrays as array literals.
import type { ColumnSpec, Value } from './table-spec.js';

const SPECIAL = /[\\\n\r\t]/;
const escapeCopy = (text: string) =>
  SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : text;
const QUOTE_SPECIAL = /[\\"]/;

function arrayElement(value: Value, kind: ColumnSpec['kind']): string {
  if (value === null) return 'NULL';
  if (kind === 'text' || kind === 'json' || kind === 'timestamp' || kind === 'enum' || kind === 'vector') {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return QUOTE_SPECIAL.test(text) ? `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${text}"`;
  }
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

function field(value: Value, column: ColumnSpec): string {
  if (value === null) return '\\N';
  if (column.array) {
    const values = value as Value[];
    // Numbers need neither quoting nor escaping: join them directly (most of an activation row).
    if ((column.kind === 'float' || column.kind === 'integer') && !values.includes(null)) return `{${values.join(',')}}`;
    return escapeCopy(`{${values.map((v) => arrayElement(v, column.kind)).join(',')}}`);
  }
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeCopy(value);
  return escapeCopy(JSON.stringify(value));
}

export function encodeCopyRows(rows: Value[][], columns: ColumnSpec[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) out += '\t';
      out += field(row[i]!, columns[i]!);
    }
    out += '\n';
  }
  return out;
}
