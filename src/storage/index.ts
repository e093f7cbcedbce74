// Where attribution graph files live: one small interface (put a stream, get a stream, delete), a
// folder on this machine or an S3-compatible bucket. Graph files can be hundreds of MB, so nothing
// here holds a whole file in memory.
import type { Readable } from 'node:stream';
import { folderStorage } from './folder.js';
import { s3Storage, type S3Settings } from './s3.js';

export type GraphStorageSettings = { kind: 'fs'; dir: string } | ({ kind: 's3' } & S3Settings);

export interface PutOptions {
  /** Exact length of the body; S3 needs it, and a body of another length is refused. */
  contentLength: number;
  contentType: string;
  /** `gzip` when the body is stored compressed (kept so a direct read of the bucket decompresses too). */
  contentEncoding: string | null;
}

export interface BlobStorage {
  /** Stores the stream under `key`; a reader never sees a half-written object. */
  put(key: string, body: Readable, options: PutOptions): Promise<void>;
  /** The stored bytes, or undefined when there is no such key. */
  get(key: string): Promise<Readable | undefined>;
  /** Removes the object; a missing one is not an error (S3's DELETE is idempotent too). */
  delete(key: string): Promise<void>;
}

export function openStorage(settings: GraphStorageSettings): BlobStorage {
  return settings.kind === 'fs' ? folderStorage(settings.dir) : s3Storage(settings);
}
