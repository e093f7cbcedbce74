// The docs page's whole-source dashboard upload, streamed: NDJSON with a first line
// `{"modelId", "source"}` and then one feature per line (the shape of one `features[]` item of
// /api/feature/upload-batch). Features are checked and written 128 at a time inside one
// transaction, so the upload is stored whole or not at all and never sits in memory: the body is
// read through a bounded line splitter (a line over MAX_LINE_BYTES is a 413, never a giant
// string), and its decompressed size is counted against UPLOAD_STREAM_LIMIT_BYTES.
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Viewer } from '../access/viewer.js';
import { analyzeTables } from '../../db/analyze.js';
import type { Db } from '../../db/client.js';
import { DomainError, InvalidInput, TooLarge } from '../../errors.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import { ModelId, SourceId } from '../../schemas/common.js';
import { FeatureUploadBody } from '../../schemas/feature.js';
import { splitLines } from '../../streams/lines.js';
import { compileStrictValidator, findUnstorableText, formatSchemaErrors, UNSTORABLE_TEXT_MESSAGE } from '../../validation.js';
import { insertUploadedFeatures } from '../../db/queries/neurons.js';
import { featureRows, uploadTarget } from './features-upload.js';

const BATCH = 128;
const validateHeader = compileStrictValidator(Type.Object({ modelId: ModelId, source: SourceId }));
const validateFeature = compileStrictValidator(FeatureUploadBody.properties.features.items);

type Feature = Parameters<typeof featureRows>[2][number];

export interface StreamLimits {
  /** Largest body, counted after decompression. */
  maxBytes: number;
  /** Longest line. */
  maxLineBytes: number;
}

/**
 * The body's chunks, failing as soon as more than `maxBytes` arrived or the current line grows past
 * `maxLineBytes` (not at the line's end: a 700 MB line is refused after its first 16 MiB). Leaves
 * the stream undestroyed, so the caller can still answer.
 */
async function* limited(body: Readable, { maxBytes, maxLineBytes }: StreamLimits): AsyncIterable<Buffer> {
  let bytes = 0;
  let line = 1;
  let lineBytes = 0;
  // One byte of slack: a line's \r before its \n is not part of it.
  const tooLong = () => new TooLarge(`line ${line} is longer than MAX_LINE_BYTES (${maxLineBytes} bytes).`);
  // Checks the bytes are UTF-8 (across chunk boundaries); the splitter's own decoding is lenient.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes)
      throw new TooLarge(`Upload is larger than UPLOAD_STREAM_LIMIT_BYTES (${maxBytes} bytes, counted after decompression).`);
    try {
      utf8.decode(chunk, { stream: true });
    } catch {
      throw new DomainError('INVALID_JSON', `The upload is not valid UTF-8 (at or after line ${line}).`);
    }
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (lineBytes + newline - start > maxLineBytes + 1) throw tooLong();
      line++;
      lineBytes = 0;
      start = newline + 1;
    }
    lineBytes += chunk.length - start;
    if (lineBytes > maxLineBytes + 1) throw tooLong();
    yield chunk;
  }
  try {
    utf8.decode();
  } catch {
    throw new DomainError('INVALID_JSON', 'The upload is not valid UTF-8 (it ends inside a character).');
  }
}

export async function uploadDashboardStream(
  db: Db,
  body: Readable,
  viewer: Viewer,
  limits: StreamLimits,
  embeddings?: EmbeddingClient,
): Promise<number> {
  const lines = splitLines(limited(body, limits), limits.maxLineBytes)[Symbol.asyncIterator]();
  let lineNumber = 0;
  /** The next non-empty line, parsed and checked for text no database can store; undefined at the end. */
  const next = async (): Promise<unknown | undefined> => {
    for (;;) {
      const { value: line, done } = await lines.next();
      if (done) return undefined;
      lineNumber = line.number;
      if ('tooLong' in line) throw new TooLarge(`line ${line.number} is longer than MAX_LINE_BYTES (${limits.maxLineBytes} bytes).`);
      if (!line.text.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        throw new DomainError('INVALID_JSON', `line ${lineNumber}: not valid JSON: ${(error as Error).message}`);
      }
      const where = findUnstorableText(value, `line ${lineNumber}`);
      if (where !== undefined) throw new DomainError('VALIDATION_ERROR', `${where} ${UNSTORABLE_TEXT_MESSAGE}.`);
      return value;
    }
  };

  const header = await next();
  if (header === undefined) throw new InvalidInput('The upload is empty: the first line must be {"modelId", "source"}.');
  if (!validateHeader(header))
    throw new DomainError('VALIDATION_ERROR', formatSchemaErrors(validateHeader.errors as never, `line ${lineNumber}`).message);
  const { modelId, source } = header as { modelId: string; source: string };
  const target = await uploadTarget(db, modelId, source, viewer);

  const created = await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const seen = new Set<number>();
    let created = 0;
    let batch: Feature[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      created += await insertUploadedFeatures(tx, await featureRows(tx, target, batch, embeddings));
      batch = [];
    };
    for (let feature = await next(); feature !== undefined; feature = await next()) {
      if (!validateFeature(feature))
        throw new DomainError('VALIDATION_ERROR', formatSchemaErrors(validateFeature.errors as never, `line ${lineNumber}`).message);
      const item = feature as Feature;
      if (seen.has(item.index)) throw new InvalidInput(`line ${lineNumber}: All indexes must be unique (index ${item.index} repeats).`);
      seen.add(item.index);
      batch.push(item);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (seen.size === 0) throw new InvalidInput('The upload has no features after its first line.');
    return created;
  });
  // A whole source is a bulk write: refresh the planner's statistics, as an import does.
  if (created > 0) await analyzeTables(db, ['Neuron', 'Activation', 'Explanation']);
  return created;
}
