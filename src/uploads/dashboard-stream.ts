// The docs page's whole-source dashboard upload, streamed: NDJSON with a first line
// `{"modelId", "source"}` and then one feature per line (the shape of one `features[]` item of
// /api/feature/upload-batch). Features are checked and written 128 at a time inside one
// transaction, so the upload is stored whole or not at all and never sits in memory.
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../db/client.js';
import { ApiError } from '../errors.js';
import type { EmbeddingClient } from '../upstream/embeddings.js';
import { ModelId, SourceId } from '../schemas/common.js';
import { FeatureUploadBody } from '../schemas/uploads.js';
import { compileStrictValidator, formatSchemaErrors } from '../validation.js';
import { featureRows, insertFeatureRows, uploadTarget } from './features-upload.js';

const BATCH = 128;
const validateHeader = compileStrictValidator(Type.Object({ modelId: ModelId, source: SourceId }));
const validateFeature = compileStrictValidator(FeatureUploadBody.properties.features.items);

type Feature = Parameters<typeof featureRows>[2][number];

export async function uploadDashboardStream(db: Db, body: Readable, viewer: Viewer, limitBytes: number, embeddings?: EmbeddingClient): Promise<number> {
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limitBytes) body.destroy(new ApiError('PAYLOAD_TOO_LARGE', `Upload is larger than UPLOAD_STREAM_LIMIT_BYTES (${limitBytes} bytes).`));
  });
  const lines = readline.createInterface({ input: body, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNumber = 0;
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ApiError('INVALID_JSON', `line ${lineNumber}: not valid JSON: ${(error as Error).message}`);
    }
  };
  const next = async (): Promise<unknown | undefined> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) return undefined;
      lineNumber++;
      if (value.trim()) return parse(value);
    }
  };

  const header = await next();
  if (header === undefined) throw new ApiError('BAD_REQUEST', 'The upload is empty: the first line must be {"modelId", "source"}.');
  if (!validateHeader(header)) throw new ApiError('VALIDATION_ERROR', formatSchemaErrors(validateHeader.errors as never, `line ${lineNumber}`).message);
  const { modelId, source } = header as { modelId: string; source: string };
  const target = await uploadTarget(db, modelId, source, viewer);

  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const seen = new Set<number>();
    let created = 0;
    let batch: Feature[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      created += await insertFeatureRows(tx, await featureRows(tx, target, batch, embeddings));
      batch = [];
    };
    for (let feature = await next(); feature !== undefined; feature = await next()) {
      if (!validateFeature(feature)) throw new ApiError('VALIDATION_ERROR', formatSchemaErrors(validateFeature.errors as never, `line ${lineNumber}`).message);
      const item = feature as Feature;
      if (seen.has(item.index)) throw new ApiError('BAD_REQUEST', `line ${lineNumber}: All indexes must be unique (index ${item.index} repeats).`);
      seen.add(item.index);
      batch.push(item);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (seen.size === 0) throw new ApiError('BAD_REQUEST', 'The upload has no features after its first line.');
    return created;
  });
}
