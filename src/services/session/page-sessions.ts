// Browser sessions for the web pages: an API key, typed once into the sign-in form, becomes a
// random session token (kept in an httpOnly cookie); only its hash is stored. The API never reads
// these sessions: its callers send their key on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { deleteExpiredPageSessions, deletePageSession, findLivePageSession, insertPageSession } from '../../db/queries/sessions.js';
import { InvalidInput } from '../../errors.js';
import type { KeyVerifier } from '../auth/verify-key.js';

export const SESSION_DAYS = 30;
const SESSION_MS = SESSION_DAYS * 24 * 3600 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const randomToken = () => randomBytes(32).toString('base64url');

export interface PageSession {
  viewer: Viewer;
  csrfToken: string;
  /** The user's own per-group rate limits, as their API key would carry them. */
  rateLimits: Record<string, number>;
}

/** Checks the key as the API does, and opens a session for its user. */
export async function signIn(db: Db, verifier: KeyVerifier, key: string): Promise<{ token: string; maxAgeSeconds: number }> {
  const check = await verifier.verify(key.trim());
  if (!check.ok) {
    throw new InvalidInput(
      check.reason === 'revoked' ? 'That API key has been revoked.' : 'That is not an API key of this mirror (keys look like sk-np-…).',
    );
  }
  const token = randomToken();
  const now = Date.now();
  await deleteExpiredPageSessions(db, new Date(now));
  await insertPageSession(db, {
    id: hashToken(token),
    userId: check.viewer.id,
    apiKeyId: check.keyId,
    csrfToken: randomToken(),
    expiresAt: new Date(now + SESSION_MS),
  });
  return { token, maxAgeSeconds: SESSION_MS / 1000 };
}

/** The session a cookie token names, when it is live; null otherwise (expired, signed out, key revoked). */
export async function readSession(db: Db, token: string): Promise<PageSession | null> {
  if (token.length === 0 || token.length > 100) return null;
  const found = await findLivePageSession(db, hashToken(token), new Date());
  if (!found) return null;
  return {
    viewer: { id: found.user.id, name: found.user.name, admin: found.user.admin },
    csrfToken: found.session.csrfToken,
    rateLimits: found.user.rateLimits,
  };
}

export async function signOut(db: Db, token: string): Promise<void> {
  await deletePageSession(db, hashToken(token));
}

/** Constant-time comparison of a form's CSRF token with the expected one. */
export function csrfMatches(expected: string | undefined, sent: unknown): boolean {
  if (!expected || typeof sent !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
