// Our own bookkeeping for the importer: one row per export file loaded. On Postgres it is written in
// the same transaction as the file's rows (wholly imported and recorded, or neither); on the
// embedded database it is written first, in progress, and completed after the file's last batch.
import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const importedFile = pgTable('ImportedFile', {
  /** Path inside the export layout, e.g. `v1/gpt2-small/6-res-jb/features/batch-0.jsonl.gz`. */
  path: text('path').primaryKey(),
  /** Where it was read from (folder or base URL), for the report. */
  location: text('location').notNull(),
  /** Size in bytes as stored (compressed for .gz). */
  size: bigint('size', { mode: 'number' }).notNull(),
  /** SHA-256 of the stored bytes, hex. */
  sha256: text('sha256').notNull(),
  /** Last-Modified or mtime, and ETag for URLs: a cheap first check that a file is unchanged. */
  modifiedAt: text('modifiedAt'),
  etag: text('etag'),
  /** Which table its lines went to, how many lines were read, stored, and rejected. */
  tableName: text('tableName').notNull(),
  lines: integer('lines').notNull(),
  rowsInserted: integer('rowsInserted').notNull(),
  rejected: integer('rejected').notNull(),
  /** Of those, rows whose parent (feature, source, ...) was missing: the file is retried on the next run. */
  parentMissing: integer('parentMissing').notNull().default(0),
  /** NULL while the embedded database's importer is still committing the file's batches (resumed by re-reading it). */
  completedAt: timestamp('completedAt', { precision: 3, mode: 'date' }).defaultNow(),
});
