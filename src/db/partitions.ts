// Activation is partitioned by model (migrations/0013_model-partitions.sql): one partition per
// model. (Neuron is not: see docs/scaling.md.) The database creates a model's partitions itself, by a trigger on "Model",
// in the transaction that inserts the model, whatever inserts it (the importer's COPY, the upload
// routes, a script): no code path can forget to, and no row can arrive before its partition (its
// feature, hence its Model, must exist first). These helpers call the same SQL function, for
// repairs (a partition dropped by hand) and for tests. Why no DEFAULT partition: docs/scaling.md.
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { queryRows } from './client.js';

/** The tables partitioned by model. */
export const PARTITIONED_TABLES = ['Activation'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** Creates the model's partitions if missing (idempotent, safe from concurrent callers). */
export async function ensureModelPartitions(db: Db, modelId: string): Promise<void> {
  await db.execute(sql`SELECT "ensure_model_partitions"(${modelId})`);
}

/** A partition's table name for a model: valid and distinct for any id (hash suffix, ≤ 63 bytes). */
export async function modelPartitionName(db: Db, table: PartitionedTable, modelId: string): Promise<string> {
  const [row] = await queryRows<{ name: string }>(db, sql`SELECT "model_partition_name"(${table}, ${modelId}) AS "name"`);
  return row!.name;
}

export interface PartitionRows {
  /** Partition table name. */
  partition: string;
  /** Its bound as Postgres prints it: `FOR VALUES IN ('<model id>')`. */
  bound: string;
  rows: number;
}

/** Each partition of a table with its bound and exact row count (for tests and operators: it scans). */
export async function partitionRows(db: Db, table: PartitionedTable): Promise<PartitionRows[]> {
  const partitions = await queryRows<{ partition: string; bound: string }>(
    db,
    sql`SELECT c.relname AS "partition", pg_get_expr(c.relpartbound, c.oid) AS "bound"
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass(quote_ident(${table})) ORDER BY c.relname`,
  );
  const result: PartitionRows[] = [];
  for (const { partition, bound } of partitions) {
    const [row] = await queryRows<{ rows: number }>(db, sql`SELECT count(*)::int AS "rows" FROM ${sql.identifier(partition)}`);
    result.push({ partition, bound, rows: row?.rows ?? 0 });
  }
  return result;
}
