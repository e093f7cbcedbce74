// The two halves of an upload URL: graph/signed-put (and graph/generate) make one, and the PUT to it
// streams the file into storage. The PUT is refused unless signed, unexpired, unused, of the length
// signed for and within GRAPH_UPLOAD_LIMIT_BYTES; the body goes to storage as it arrives.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Viewer } from '../access/viewer.js';
import { DomainError, Forbidden, InvalidInput, TooLarge } from '../../errors.js';
import {
  claimPutRequest,
  countPutRequestsFrom,
  findPutRequest,
  finishPutRequest,
  insertPutRequest,
  setPutRequestUrl,
} from '../../db/queries/graphs.js';
import { storageOf, type GraphDeps } from './deps.js';
import { signUploadUrl, verifyUploadSignature } from './signed-url.js';

/** Upstream's cap on upload URLs per address per day (MAX_PUT_REQUESTS_PER_DAY). */
export const MAX_PUT_REQUESTS_PER_DAY = 200;
/** Upstream's folder for users' graphs in its bucket (GRAPH_S3_USER_GRAPHS_DIR). */
const USER_GRAPHS_DIR = 'user-graphs';

export interface NewUploadUrl {
  url: string;
  key: string;
  putRequestId: string;
}

/** A storage key as upstream makes it, with the caller's file name reduced to safe characters. */
function storageKey(owner: string, filename: string): string {
  const base = filename
    .replace(/\.json$/, '')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 100);
  return `${USER_GRAPHS_DIR}/${owner}/${base}-${Date.now()}-${randomBytes(3).toString('hex')}.json`;
}

export async function createUploadUrl(
  deps: GraphDeps,
  params: { viewer: Viewer | null; ip: string; filename: string; contentLength: number | null },
): Promise<NewUploadUrl> {
  storageOf(deps);
  if (!params.filename.endsWith('.json')) throw new InvalidInput('Invalid file extension - must be .json');
  if (params.contentLength !== null && params.contentLength > deps.settings.uploadLimitBytes)
    throw new TooLarge(`contentLength must be at most ${deps.settings.uploadLimitBytes} bytes (GRAPH_UPLOAD_LIMIT_BYTES).`);
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  if ((await countPutRequestsFrom(deps.db, params.ip, since)) >= MAX_PUT_REQUESTS_PER_DAY)
    throw new DomainError('RATE_LIMITED', `Too many put requests today. The maximum is ${MAX_PUT_REQUESTS_PER_DAY}.`);
  const key = storageKey(params.viewer?.id ?? 'anonymous', params.filename);
  const expiresAt = new Date(Date.now() + deps.settings.uploadUrlTtlSeconds * 1000);
  const row = await insertPutRequest(deps.db, {
    ipAddress: params.ip,
    filename: params.filename,
    url: '',
    userId: params.viewer?.id ?? null,
    storageKey: key,
    contentLength: params.contentLength,
    expiresAt,
  });
  const url = signUploadUrl(
    deps.settings.signingSecret,
    deps.publicUrl,
    { id: row.id, storageKey: key, contentLength: params.contentLength },
    expiresAt,
  );
  await setPutRequestUrl(deps.db, row.id, url);
  return { url, key, putRequestId: row.id };
}

export interface IncomingUpload {
  putRequestId: string;
  expires: string;
  signature: string;
  /** The request's Content-Length header, as sent (undefined when absent). */
  contentLength: string | undefined;
  contentEncoding: string | undefined;
  body: Readable;
}

export async function receiveUpload(deps: GraphDeps, upload: IncomingUpload): Promise<{ size: number }> {
  const storage = storageOf(deps);
  const row = await findPutRequest(deps.db, upload.putRequestId);
  verifyUploadSignature(deps.settings.signingSecret, row, upload.expires, upload.signature);
  // S3 also refuses an upload of unknown length (411 MissingContentLength): storage needs it up front.
  if (upload.contentLength === undefined || !/^\d+$/.test(upload.contentLength))
    throw new InvalidInput('Content-Length is required: send the file with its length (not chunked).');
  const length = Number(upload.contentLength);
  if (length > deps.settings.uploadLimitBytes)
    throw new TooLarge(`The file is larger than ${deps.settings.uploadLimitBytes} bytes (GRAPH_UPLOAD_LIMIT_BYTES).`);
  if (row!.contentLength !== null && length !== row!.contentLength)
    throw new InvalidInput(
      `Content-Length is ${length} but this URL was signed for ${row!.contentLength} bytes (graph/signed-put's contentLength).`,
    );
  const encoding = upload.contentEncoding?.trim().toLowerCase() || null;
  if (encoding !== null && encoding !== 'gzip' && encoding !== 'identity')
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported: send the JSON as is, or gzip.`);
  if (!(await claimPutRequest(deps.db, row!.id))) throw new Forbidden('This upload URL has already been used.');
  try {
    await storage.put(row!.storageKey, upload.body, {
      contentLength: length,
      contentType: 'application/json',
      contentEncoding: encoding === 'gzip' ? 'gzip' : null,
    });
  } catch (error) {
    // Not used after all: the same URL may be tried again until it expires.
    await finishPutRequest(deps.db, row!.id, false, null, null);
    throw error;
  }
  await finishPutRequest(deps.db, row!.id, true, length, encoding === 'gzip' ? 'gzip' : null);
  return { size: length };
}
