// Users and their API keys.
import { and, asc, eq, isNull, like, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Db } from '../client.js';
import { apiKey, user } from '../schema/index.js';

export type UserRow = typeof user.$inferSelect;
export type ApiKeyRow = typeof apiKey.$inferSelect;

export async function createUser(db: Db, name: string, admin = false): Promise<UserRow> {
  const [row] = await db.insert(user).values({ id: randomUUID(), name, admin }).returning();
  return row!;
}

export async function findUserByName(db: Db, name: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(user).where(eq(user.name, name)).limit(1);
  return row;
}

export async function setUserRateLimit(db: Db, userId: string, group: string, limit: number | null): Promise<void> {
  const update =
    limit === null
      ? sql`${user.rateLimits} - ${group}::text`
      : sql`${user.rateLimits} || jsonb_build_object(${group}::text, ${limit}::int)`;
  await db.update(user).set({ rateLimits: update }).where(eq(user.id, userId));
}

export async function insertApiKey(db: Db, userId: string, prefix: string, hash: string): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKey).values({ id: randomUUID(), userId, prefix, hash }).returning();
  return row!;
}

export async function listApiKeys(db: Db, userId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKey).where(eq(apiKey.userId, userId)).orderBy(asc(apiKey.createdAt));
}

/** Live keys whose shown prefix starts with `prefix`. */
export async function findLiveKeysByPrefix(db: Db, prefix: string): Promise<ApiKeyRow[]> {
  const pattern = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
  return db
    .select()
    .from(apiKey)
    .where(and(like(apiKey.prefix, pattern), isNull(apiKey.revokedAt)));
}

export async function revokeApiKey(db: Db, id: string): Promise<void> {
  await db.update(apiKey).set({ revokedAt: new Date() }).where(eq(apiKey.id, id));
}

/** The key with this hash and its user, in one query. */
export async function findKeyWithUser(db: Db, hash: string) {
  const [row] = await db
    .select({ key: apiKey, user })
    .from(apiKey)
    .innerJoin(user, eq(user.id, apiKey.userId))
    .where(eq(apiKey.hash, hash))
    .limit(1);
  return row;
}

export async function touchApiKey(db: Db, id: string, at: Date): Promise<void> {
  await db.update(apiKey).set({ lastUsedAt: at }).where(eq(apiKey.id, id));
}
