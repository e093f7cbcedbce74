// Streams the lines of one export file, from disk or HTTP, gunzipping `.gz` files on the way,
// counting stored bytes (for progress) and hashing them (to recognise the file later). Never
// holds more than a chunk of the file in memory, nor more than maxLineBytes of one line (see
// splitLines: a gzip bomb of one endless line is counted, not kept).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { createImportGunzip } from '../streams/gunzip.js';
import { splitLines, type Line } from '../streams/lines.js';
import { getExport, type ExportRequestOptions } from './export-http.js';

export interface LineSource {
  lines: AsyncIterable<Line>;
  /** Stored (possibly compressed) bytes read so far. */
  bytesRead(): number;
  /** Hex SHA-256 of the stored bytes; complete once `lines` is exhausted. */
  sha256(): string;
}

/** A file's stored bytes; URLs go through the importer's safe GET (address policy, timeouts, cancel). */
export async function openRaw(location: string, options: ExportRequestOptions = {}): Promise<Readable> {
  if (!/^https?:\/\//i.test(location)) return fs.createReadStream(location, { highWaterMark: 1024 * 1024, signal: options.signal });
  return (await getExport(location, options)).body;
}

/** Lines over `maxLineBytes` come out as tooLong; `http` reaches export URLs. */
export async function openLines(
  location: string,
  gzipped: boolean,
  maxLineBytes: number,
  http?: ExportRequestOptions,
): Promise<LineSource> {
  const raw = await openRaw(location, http);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new PassThrough();
  raw.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  raw.on('error', (error) => tap.destroy(error));
  raw.pipe(tap);
  let text: Readable | Transform = tap;
  if (gzipped) {
    const gunzip = createImportGunzip();
    tap.on('error', (error) => gunzip.destroy(error));
    text = tap.pipe(gunzip);
  }
  let digest: string | undefined;
  return {
    lines: splitLines(text, maxLineBytes),
    bytesRead: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
  };
}

/** SHA-256 of a whole file, read as a stream (to tell whether a file changed since its import). */
export async function hashFile(location: string, http?: ExportRequestOptions): Promise<string> {
  const raw = await openRaw(location, http);
  const hash = createHash('sha256');
  for await (const chunk of raw) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
