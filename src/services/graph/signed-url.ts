// Upload URLs that this mirror signs and later accepts, in the manner of an S3 presigned PUT: an
// HMAC (GRAPH_SIGNING_SECRET) over the method, the upload's id and storage key, the length it may
// have and its expiry. The signature is the whole authority of the PUT: it carries no API key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Forbidden } from '../../errors.js';

export interface SignedTarget {
  id: string;
  storageKey: string;
  contentLength: number | null;
}

/** S3's own wording for the two refusals, so tools that know S3's errors recognise them. */
export const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided.';
export const URL_EXPIRED = 'Request has expired';

function signature(secret: string, target: SignedTarget, expires: number): string {
  const text = ['PUT', target.id, target.storageKey, target.contentLength ?? '*', expires].join('\n');
  return createHmac('sha256', secret).update(text).digest('hex');
}

export function signUploadUrl(secret: string, publicUrl: string, target: SignedTarget, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${publicUrl}/api/graph/upload/${target.id}?expires=${expires}&signature=${signature(secret, target, expires)}`;
}

/** Throws Forbidden unless `given` signs `target` until `expires` and that time has not passed. */
export function verifyUploadSignature(
  secret: string,
  target: SignedTarget | undefined,
  expires: string,
  given: string,
  now = Date.now(),
): void {
  const seconds = /^\d{1,12}$/.test(expires) ? Number(expires) : NaN;
  // An unknown id is refused like a bad signature: the URL reveals nothing about other uploads.
  const expected = target && Number.isFinite(seconds) ? Buffer.from(signature(secret, target, seconds)) : undefined;
  const actual = Buffer.from(given);
  if (!expected || expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new Forbidden(SIGNATURE_MISMATCH);
  if (seconds * 1000 < now) throw new Forbidden(URL_EXPIRED);
}
