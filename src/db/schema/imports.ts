// Our own bookkeeping for the importer: one row per export file loaded, written in the same
// transaction as the file's rows, so a file is either wholly imported and recorded, or neither.
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
  completedAt: timestamp('completedAt', { precision: 3, mode: 'date' }).notNull().defaultNow(),
});
