// Field lists for json_build_object built from the drizzle schema, shared by the queries that
// have Postgres write whole rows as JSON text (search-all's features, the one-query feature read).
// Field names and order follow the drizzle schema (getTableColumns), so the JSON matches what the
// drizzle-based reads return; timestamps are written as JavaScript writes a Date.
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A column as JSON: timestamps as `Date.toISOString()` writes them (they hold UTC, precision 3). */
export function jsonValue(column: PgColumn, alias: string): string {
  const ref = `${alias}.${quoteIdent(column.name)}`;
  return column.columnType === 'PgTimestamp' ? `to_char(${ref}, ${ISO_UTC})` : ref;
}

export interface FieldOptions {
  /** Columns left out (by drizzle key). */
  exclude?: string[];
  /** SQL written in a column's place instead of the column (by drizzle key). */
  replace?: Record<string, string>;
}

/** `'key', alias."column", …` for json_build_object: every column but the excluded ones. */
export function jsonFields(table: PgTable, alias: string, options: FieldOptions = {}): string {
  const exclude = options.exclude ?? [];
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([key]) => !exclude.includes(key));
  // json_build_object takes at most 100 arguments (Postgres' FUNC_MAX_ARGS): 50 fields, with room for our extras.
  if (columns.length > 46) throw new Error(`${alias}: ${columns.length} columns no longer fit one json_build_object; build it in parts`);
  return columns.map(([key, column]) => `${quoteLiteral(key)}, ${options.replace?.[key] ?? jsonValue(column, alias)}`).join(', ');
}

/**
 * `alias."column" AS "key", …`: a select list for row_to_json, which, unlike json_build_object and
 * json_agg, writes compact JSON (no spaces) in the list's order.
 */
export function jsonColumns(table: PgTable, alias: string, options: FieldOptions = {}): string {
  const exclude = options.exclude ?? [];
  return Object.entries(getTableColumns(table) as Record<string, PgColumn>)
    .filter(([key]) => !exclude.includes(key))
    .map(([key, column]) => `${options.replace?.[key] ?? jsonValue(column, alias)} AS ${quoteIdent(key)}`)
    .join(', ');
}
