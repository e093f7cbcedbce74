// Browser sessions of the web pages (PageSession).
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiKey, pageSession, user } from '../schema/index.js';

export async function insertPageSession(db: Db, values: typeof pageSession.$inferInsert): Promise<void> {
  await db.insert(pageSession).values(values);
}

/** A live session (not expired, its key not revoked) with its user. */
export async function findLivePageSession(db: Db, id: string, now: Date) {
  const [row] = await db
    .select({ session: pageSession, user })
    .from(pageSession)
    .innerJoin(user, eq(user.id, pageSession.userId))
    .innerJoin(apiKey, eq(apiKey.id, pageSession.apiKeyId))
    .where(and(eq(pageSession.id, id), gt(pageSession.expiresAt, now), isNull(apiKey.revokedAt)))
    .limit(1);
  return row;
}

export async function deletePageSession(db: Db, id: string): Promise<void> {
  await db.delete(pageSession).where(eq(pageSession.id, id));
}

export async function deleteExpiredPageSessions(db: Db, now: Date): Promise<void> {
  await db.delete(pageSession).where(lt(pageSession.expiresAt, now));
}
