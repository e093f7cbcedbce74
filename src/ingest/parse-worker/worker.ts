// A parse worker: gunzips, splits, parses, converts and encodes one export file at a time for the
// main thread, which only reads the stored bytes and streams the encoded rows into COPY (host.ts).
// Bounded both ways: an input chunk is acknowledged only once the pipeline has taken it in, and
// no more than MAX_BATCHES_AHEAD batches wait for the main thread before this worker stops
// parsing, so memory does not grow with the file (nor with a gzip bomb).
import { PassThrough, type Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { BinaryRowEncoder, BinaryValueError } from '../../db/import/copy-binary.js';
import { encodeCopyRows } from '../../db/import/copy-text.js';
import { createImportGunzip } from '../../streams/gunzip.js';
import { splitLineByteBatches } from '../../streams/lines.js';
import { fastLineEncoder } from '../fast-line.js';
import type { Reject } from '../load-lines.js';
import { BATCH_CHARS, lineConverter, OWNED_TABLES, PARENTS, RAW_LIMIT, specFor } from '../line-convert.js';
import type { BatchMessage, FromWorker, StartMessage, ToWorker } from './messages.js';

const MAX_BATCHES_AHEAD = 3;
const port = parentPort!;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

let input: PassThrough | undefined;
let ahead = 0;
let resume: (() => void) | undefined;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      input = new PassThrough();
      ahead = 0;
      parse(message, input).then(
        (lines) => post({ type: 'done', lines }),
        (error: Error) => post({ type: 'error', message: error.message }),
      );
      return;
    case 'chunk':
      // The callback runs once the chunk has gone on down the pipeline (not while it is held up).
      input!.write(message.data, () => post({ type: 'consumed' }));
      return;
    case 'end':
      input!.end();
      return;
    case 'ack':
      ahead--;
      resume?.();
      resume = undefined;
  }
});

async function parse(start: StartMessage, bytes: PassThrough): Promise<number> {
  const spec = specFor(start.table);
  const parent = start.checkParents ? PARENTS[start.table] : undefined;
  const convert = lineConverter(start.table, start);
  const encoder = start.format === 'binary' ? new BinaryRowEncoder(spec.columns) : undefined;
  // Plain lines go straight from bytes to binary COPY (fast-line.ts); the rest take the general path.
  const overridden = OWNED_TABLES.has(start.table) && (start.visibility || start.ownerId);
  const fast = encoder && !overridden ? fastLineEncoder(spec, parent?.fields, encoder) : undefined;
  let text = '';
  let batch = emptyBatch();
  let keyIndex = new Map<string, number>();
  // Tables with a parent the main thread checks: the rows' line bytes, end to end, in case one is missing.
  const raws = parent ? new BinaryRowEncoder([], 1 << 16) : undefined;
  let chars = 0;
  let lineNumber = 0;

  const reject = (line: number, reason: string, raw: string) => {
    batch.rejects.push({ file: start.key, line, reason, raw: raw.length > RAW_LIMIT ? raw.slice(0, RAW_LIMIT) : raw });
    chars += raw.length;
  };

  const flush = async () => {
    if (batch.rowLines.length === 0 && batch.rejects.length === 0) return;
    batch.through = lineNumber;
    let transfer: ArrayBuffer[] | undefined;
    if (encoder) {
      const data = encoder.take();
      batch.data = data;
      transfer = [data.buffer as ArrayBuffer];
    } else {
      batch.data = text;
      text = '';
    }
    if (raws) {
      batch.raws = raws.take();
      transfer = [...(transfer ?? []), batch.raws.buffer as ArrayBuffer];
    }
    post(batch, transfer);
    batch = emptyBatch();
    keyIndex = new Map();
    chars = 0;
    ahead++;
    while (ahead >= MAX_BATCHES_AHEAD) await new Promise<void>((resolve) => (resume = resolve));
  };

  const source: Readable = start.gzipped ? bytes.pipe(createImportGunzip()) : bytes;
  /** Records a row just encoded, with its parent key. */
  const row = (data: Buffer, key: string[] | undefined) => {
    batch.rowEnds.push(encoder ? encoder.length : text.length);
    batch.rowLines.push(lineNumber);
    if (raws) {
      const joined = key!.join('\u0000');
      let index = keyIndex.get(joined);
      if (index === undefined) {
        index = batch.parentKeys!.push(key!) - 1;
        keyIndex.set(joined, index);
      }
      batch.rowParents!.push(index);
      raws.bytes(data, 0, data.length);
      batch.rawEnds!.push(raws.length);
    }
    chars += data.length;
  };

  for await (const lines of splitLineByteBatches(source, start.maxLineBytes))
    for (const line of lines) {
      lineNumber = line.number;
      if ('tooLong' in line) {
        reject(lineNumber, `line longer than MAX_LINE_BYTES (${start.maxLineBytes} bytes): ${line.bytes} bytes`, line.head);
      } else {
        const key = fast?.(line.data);
        if (key) row(line.data, key);
        else general(line.data);
      }
      if (batch.rowLines.length + batch.rejects.length >= start.batchSize || chars >= BATCH_CHARS) await flush();
    }
  await flush();
  return lineNumber;

  function general(data: Buffer) {
    const line = data.toString('utf8');
    if (line.trim() === '') return;
    const converted = convert(line);
    if ('reason' in converted) return reject(lineNumber, converted.reason, line);
    try {
      if (encoder) encoder.push(converted.row);
      else text += encodeCopyRows([converted.row], spec.columns);
    } catch (error) {
      if (!(error instanceof BinaryValueError)) throw error;
      return reject(lineNumber, error.message, line); // the encoder left nothing of it behind
    }
    row(data, converted.parentKey);
  }

  function emptyBatch(): BatchMessage {
    return {
      type: 'batch',
      data: '',
      rowEnds: [],
      rowLines: [],
      parentKeys: parent ? [] : undefined,
      rowParents: parent ? [] : undefined,
      rawEnds: parent ? [] : undefined,
      rejects: [] as Reject[],
      through: 0,
    };
  }
}
