// What the importer knows of a table, read from its drizzle definition: each column's name, kind,
// nullability and the value an absent field gets. Shared by the record converter (src/ingest) and
// the database sinks that write the rows.
import { getTableColumns, is, SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

export type Value = string | number | boolean | null | Value[] | { [key: string]: unknown };

export interface ColumnSpec {
  name: string;
  /** string, number (float), integer, boolean, json, timestamp, vector, enum, or an array of one. */
  kind: 'text' | 'float' | 'integer' | 'bigint' | 'boolean' | 'json' | 'timestamp' | 'vector' | 'enum';
  array: boolean;
  notNull: boolean;
  /** The value used when the record lacks the field; undefined when the field is required. */
  fallback: (() => Value) | undefined;
  enumValues?: readonly string[];
  dimensions?: number;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
}

function kindOf(column: PgColumn): ColumnSpec['kind'] {
  switch (column.columnType) {
    case 'PgText':
      return 'text';
    case 'PgDoublePrecision':
      return 'float';
    case 'PgInteger':
      return 'integer';
    case 'PgBigInt53':
      return 'bigint';
    case 'PgBoolean':
      return 'boolean';
    case 'PgJsonb':
    case 'PgJson':
      return 'json';
    case 'PgTimestamp':
      return 'timestamp';
    case 'PgVector':
      return 'vector';
    case 'PgEnumColumn':
      return 'enum';
    default:
      throw new Error(`table-spec: unsupported column type ${column.columnType} (${column.name})`);
  }
}

export function tableSpec(table: PgTable, tableName: string): TableSpec {
  const columns = Object.values(getTableColumns(table)).map((column): ColumnSpec => {
    const array = column.columnType === 'PgArray';
    const base = array ? (column as unknown as { baseColumn: PgColumn }).baseColumn : column;
    const kind = kindOf(base);
    let fallback: ColumnSpec['fallback'];
    if (column.hasDefault && is(column.default, SQL))
      fallback = importTime; // defaultNow()
    else if (column.hasDefault) {
      // Rows are only read after conversion, never mutated, so one frozen default serves every row.
      const value = Object.freeze(column.default) as Value;
      fallback = () => value;
    } else if (!column.notNull) fallback = () => null;
    else if (array) fallback = () => EMPTY; // Prisma scalar lists: an absent list is empty
    return {
      name: column.name,
      kind,
      array,
      notNull: column.notNull,
      fallback,
      enumValues: base.enumValues,
      dimensions: (base as unknown as { dimensions?: number }).dimensions,
    };
  });
  return { name: tableName, columns };
}

const EMPTY: Value[] = Object.freeze([]) as unknown as Value[];

/** `now()` for absent timestamps, computed at most once a second rather than once a row. */
let nowText = '';
let nowAt = 0;
function importTime(): string {
  const t = Date.now();
  if (t - nowAt >= 1000) {
    nowAt = t;
    nowText = new Date(t).toISOString();
  }
  return nowText;
}
