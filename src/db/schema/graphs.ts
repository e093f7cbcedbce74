// Attribution graphs (Prisma `GraphMetadata`, `GraphMetadataSubgraph`, `GraphMetadataDataPutRequest`).
// Upstream's columns and names, plus what a mirror needs: where the file is in our storage, its size
// and encoding, a visibility (upstream has none: every graph is public, which stays the default),
// and the state of each upload URL (expiry, single use).
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, textArray } from './columns.js';
import { visibility } from './enums.js';
import { model } from './models.js';
import { user } from './users.js';

const updatedAt = () => timestamp('updatedAt', { precision: 3, mode: 'date' }).notNull().defaultNow();

export const graphMetadata = pgTable(
  'GraphMetadata',
  {
    id: text('id').primaryKey(),
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    sourceSetName: text('sourceSetName'),
    slug: text('slug').notNull(),
    promptTokens: textArray('promptTokens'),
    prompt: text('prompt').notNull(),
    titlePrefix: text('titlePrefix').notNull().default(''),
    isFeatured: boolean('isFeatured').notNull().default(false),
    /** Upstream: the S3 URL of the JSON. Here: this mirror's URL that streams the stored file. */
    url: text('url').notNull(),
    userId: text('userId').references(() => user.id, { onDelete: 'cascade' }),
    visibility: visibility('visibility').notNull().default('PUBLIC'),
    /** Object key in the graph storage (folder or bucket). */
    storageKey: text('storageKey').notNull(),
    /** Bytes stored (compressed when contentEncoding is gzip). */
    sizeBytes: bigint('sizeBytes', { mode: 'number' }).notNull(),
    contentEncoding: text('contentEncoding'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('GraphMetadata_modelId_slug_key').on(t.modelId, t.slug),
    index('GraphMetadata_userId_idx').on(t.userId),
    index('GraphMetadata_modelId_sourceSetName_idx').on(t.modelId, t.sourceSetName),
  ],
);

export const graphMetadataSubgraph = pgTable(
  'GraphMetadataSubgraph',
  {
    id: text('id').primaryKey(),
    displayName: text('displayName'),
    graphMetadataId: text('graphMetadataId')
      .notNull()
      .references(() => graphMetadata.id, { onDelete: 'cascade' }),
    pinnedIds: textArray('pinnedIds'),
    supernodes: jsonb('supernodes')
      .notNull()
      .default(sql`'[]'::jsonb`),
    clerps: jsonb('clerps')
      .notNull()
      .default(sql`'[]'::jsonb`),
    pruningThreshold: doublePrecision('pruningThreshold'),
    densityThreshold: doublePrecision('densityThreshold'),
    userId: text('userId')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    isFeaturedSolution: boolean('isFeaturedSolution').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('GraphMetadataSubgraph_graphMetadataId_idx').on(t.graphMetadataId), index('GraphMetadataSubgraph_userId_idx').on(t.userId)],
);

/** One upload URL: signed-put (or generate) makes it, the PUT fills it once, save-to-db reads it. */
export const graphMetadataDataPutRequest = pgTable(
  'GraphMetadataDataPutRequest',
  {
    id: text('id').primaryKey(),
    ipAddress: text('ipAddress').notNull(),
    filename: text('filename').notNull(),
    /** The upload URL, as upstream stores it. */
    url: text('url').notNull(),
    /** Null for anonymous graph generation, as upstream's generate allows. */
    userId: text('userId').references(() => user.id, { onDelete: 'cascade' }),
    storageKey: text('storageKey').notNull(),
    /** The length the PUT must have (signed-put's contentLength); null: any length up to the limit (generate). */
    contentLength: bigint('contentLength', { mode: 'number' }),
    expiresAt: timestamp('expiresAt', { precision: 3, mode: 'date' }).notNull(),
    /** PENDING → UPLOADING (a PUT holds it) → UPLOADED; a failed PUT returns it to PENDING. */
    state: text('state').$type<'PENDING' | 'UPLOADING' | 'UPLOADED'>().notNull().default('PENDING'),
    sizeBytes: bigint('sizeBytes', { mode: 'number' }),
    contentEncoding: text('contentEncoding'),
    createdAt: createdAt(),
  },
  (t) => [index('GraphMetadataDataPutRequest_ipAddress_idx').on(t.ipAddress), index('GraphMetadataDataPutRequest_userId_idx').on(t.userId)],
);
