// API keys: `sk-np-` and 44 characters, the shape of neuronpedia.org's keys. Only the SHA-256 of a
// key is stored; the key itself is shown once, when created.
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'sk-np-';
/** Characters of a key kept in clear for listings (`sk-np-` and six more). */
export const DISPLAY_PREFIX_LENGTH = 12;
const KEY_PATTERN = /^sk-np-[A-Za-z0-9]{44}$/;

/** As upstream: base64 of 32 random bytes, with `+`, `/` and `=` replaced by `0`. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64').replace(/[+/=]/g, '0');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Checked before any database hit: a string that cannot be a key is refused at once. */
export function looksLikeApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}
