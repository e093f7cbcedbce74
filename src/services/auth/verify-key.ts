// Turns a request's API key into a viewer. Results are cached for a few seconds so a busy client
// costs one query per interval, not per request; a revocation therefore takes effect within
// KEY_CACHE_TTL_MS in every process. Last use is recorded at most once a minute per key, without
// making the request wait for it.
import { LRUCache } from 'lru-cache';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { findKeyWithUser, touchApiKey } from '../../db/queries/users.js';
import { hashApiKey, looksLikeApiKey } from './api-keys.js';

export const KEY_CACHE_TTL_MS = 10_000;
const TOUCH_INTERVAL_MS = 60_000;

export type KeyCheck =
  | { ok: true; viewer: Viewer; keyId: string; rateLimits: Record<string, number> }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

export class KeyVerifier {
  private readonly cache = new LRUCache<string, KeyCheck>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  private readonly touched = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly db: Db,
    private readonly onTouchError: (error: unknown) => void = () => {},
  ) {}

  async verify(key: string): Promise<KeyCheck> {
    if (!looksLikeApiKey(key)) return { ok: false, reason: 'malformed' };
    const hash = hashApiKey(key);
    let check = this.cache.get(hash);
    if (!check) {
      const found = await findKeyWithUser(this.db, hash);
      if (!found) check = { ok: false, reason: 'unknown' };
      else if (found.key.revokedAt) check = { ok: false, reason: 'revoked' };
      else
        check = {
          ok: true,
          viewer: { id: found.user.id, name: found.user.name, admin: found.user.admin },
          keyId: found.key.id,
          rateLimits: found.user.rateLimits,
        };
      this.cache.set(hash, check);
    }
    if (check.ok) this.touch(check.keyId);
    return check;
  }

  /** Forgets cached answers (after a key is created or revoked through this process). */
  clear(): void {
    this.cache.clear();
  }

  private touch(keyId: string): void {
    const now = Date.now();
    const last = this.touched.get(keyId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(keyId, now);
    touchApiKey(this.db, keyId, new Date(now)).catch(this.onTouchError);
  }
}
