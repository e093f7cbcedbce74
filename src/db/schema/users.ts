// Our own accounts and API keys. Upstream keeps keys in plain text (UserSecret); we store only a hash.
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

export const user = pgTable('User', {
  id: text('id').primaryKey(),
  /** Lower-case handle, unique, as upstream (letters, digits, dashes, periods). */
  name: text('name').notNull().unique(),
  admin: boolean('admin').notNull().default(false),
  bot: boolean('bot').notNull().default(false),
  /** Per-group request limits that replace the configured ones for this user, e.g. `{"steer": 1000}`. */
  rateLimits: jsonb('rateLimits').$type<Record<string, number>>().notNull().default({}),
  createdAt: createdAt(),
});

export const apiKey = pgTable(
  'ApiKey',
  {
    id: text('id').primaryKey(),
    userId: text('userId')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    /** First characters of the key (e.g. `sk-np-AbCd`), shown in listings so a user can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('lastUsedAt', { precision: 3, mode: 'date' }),
    revokedAt: timestamp('revokedAt', { precision: 3, mode: 'date' }),
  },
  (t) => [uniqueIndex('ApiKey_hash_key').on(t.hash), index('ApiKey_userId_idx').on(t.userId)],
);

/**
 * Requests counted per caller (`user:<id>` or `ip:<address>`), endpoint group and fixed window.
 * One atomic upsert per request keeps one count across every server process.
 */
export const rateLimitCounter = pgTable(
  'RateLimitCounter',
  {
    key: text('key').notNull(),
    group: text('group').notNull(),
    /** Start of the window, in ms since the epoch. */
    windowStart: timestamp('windowStart', { precision: 3, mode: 'date' }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [
    primaryKey({ name: 'RateLimitCounter_key_group_window_key', columns: [t.key, t.group, t.windowStart] }),
    index('RateLimitCounter_windowStart_idx').on(t.windowStart),
  ],
);

/**
 * Browser sessions of the web pages (issue 15): made by signing in with an API key, ended by signing
 * out (the row is deleted). Only the SHA-256 of the cookie's token is stored, as for API keys; the
 * session dies with its key (cascade, and revoked keys are refused on every read).
 */
export const pageSession = pgTable(
  'PageSession',
  {
    /** Hex SHA-256 of the token in the cookie. */
    id: text('id').primaryKey(),
    userId: text('userId')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    apiKeyId: text('apiKeyId')
      .notNull()
      .references(() => apiKey.id, { onDelete: 'cascade' }),
    /** Random token that state-changing forms of this session must carry. */
    csrfToken: text('csrfToken').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expiresAt', { precision: 3, mode: 'date' }).notNull(),
  },
  (t) => [index('PageSession_userId_idx').on(t.userId), index('PageSession_expiresAt_idx').on(t.expiresAt)],
);
