// Graph files in a folder (the embedded default: <DATA_DIR>/graphs). Written to a temporary name and
// renamed when complete, so a reader never sees a partial file and a failed upload leaves nothing.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStorage } from './index.js';

export function folderStorage(root: string): BlobStorage {
  const resolve = (key: string) => {
    const file = path.resolve(root, key);
    // Keys are made by the mirror, but a key must never name a file outside the folder.
    if (!file.startsWith(path.resolve(root) + path.sep)) throw new Error(`storage key outside the folder: ${key}`);
    return file;
  };
  return {
    async put(key, body) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true });
      const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
        await rename(partial, file);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    async get(key) {
      const stream = createReadStream(resolve(key));
      // Open first, so a missing file is "undefined" here rather than an error mid-answer.
      return new Promise<Readable | undefined>((done, fail) => {
        stream.once('open', () => done(stream));
        stream.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? done(undefined) : fail(error)));
      });
    },
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
