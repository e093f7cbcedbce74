// The importer's gunzip stream. zlib inflates on libuv's thread pool one output chunk at a time;
// at its default 16 KiB chunk the hand-offs cost more CPU than the inflating (measured: ~0.5 s of a
// parse worker's ~2 s per 100 MB of JSONL). 128 KiB chunks keep the memory small (a chunk is
// released once its lines are encoded) and take that overhead out.
import { createGunzip, type Gunzip } from 'node:zlib';

export const GUNZIP_CHUNK_BYTES = 128 * 1024;

export function createImportGunzip(): Gunzip {
  return createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
}
