// The main thread's side of a parse worker (worker.ts): reads a file's stored bytes (disk or the
// safe HTTP GET, hashing and counting them as the in-thread path does), hands them to the worker,
// checks each encoded batch's parent rows (when the writer asks for it), reports rejects and
// streams the rows into COPY. The main thread is left with I/O and the database; the CPU work runs
// on another core.
// Workers are kept between files (starting one under tsx costs a fraction of a second) and
// terminated when a file fails, so a crashed or stuck worker never takes another file.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { binaryEncodable } from '../../db/import/copy-binary.js';
import type { FileWriter } from '../../db/import/sinks.js';
import { siblingModule, startModuleWorker } from '../../module-worker.js';
import type { ExportFile } from '../layout.js';
import { PARENT_MISSING, PARENTS, RAW_LIMIT, specFor } from '../line-convert.js';
import type { LoadOptions, LoadResult, Reject } from '../load-lines.js';
import { openRaw } from '../read-lines.js';
import type { BatchMessage, FromWorker, ToWorker } from './messages.js';

/** Input chunks handed to the worker and not yet taken in by it (bounds the main thread's reading ahead). */
const CHUNKS_AHEAD = 2;

export class ParseWorkers {
  private idle: Worker[] = [];
  /** Every worker started and not terminated (tests look in to stop one mid-file). */
  readonly live = new Set<Worker>();

  constructor(private readonly maxLineBytes: number) {}

  take(): Worker {
    return this.idle.pop() ?? this.start();
  }

  /**
   * Starts workers until `count` are live, idle until taken. A worker's start is not free (under
   * tsx, as `npm run import` runs, it compiles its modules on a loader thread of its own), so an
   * import starts its workers up front rather than as its big files come.
   */
  prestart(count: number) {
    while (this.live.size < count) this.idle.push(this.start());
  }

  private start(): Worker {
    // A heap limit in proportion to the longest line allowed: a limit makes V8 collect a worker's
    // churn of large strings (a gzip bomb of long lines) sooner, keeping peak RSS below the
    // in-thread path's, while leaving a line of maxLineBytes room for its parse and encoding.
    const maxOldGenerationSizeMb = Math.max(256, Math.ceil((16 * this.maxLineBytes) / (1024 * 1024)));
    const worker = startModuleWorker(siblingModule(import.meta.url, 'worker'), { resourceLimits: { maxOldGenerationSizeMb } });
    // A worker with no file must not keep the process alive.
    worker.unref();
    worker.on('error', () => {}); // reported to the file's load through its own listener
    // One that stops while idle is never handed out again (a message to it would go nowhere).
    worker.once('exit', () => {
      this.live.delete(worker);
      this.idle = this.idle.filter((w) => w !== worker);
    });
    this.live.add(worker);
    return worker;
  }

  give(worker: Worker) {
    this.idle.push(worker);
  }

  discard(worker: Worker) {
    this.live.delete(worker);
    void worker.terminate();
  }

  async close() {
    this.idle = [];
    await Promise.all([...this.live].map((w) => w.terminate()));
    this.live.clear();
  }
}

/** loadLines (load-lines.ts) with the parsing in a worker; the writer must take encoded rows. */
export async function loadLinesInWorker(
  workers: ParseWorkers,
  file: ExportFile,
  writer: FileWriter,
  options: LoadOptions,
  report: (rejects: Reject[], throughLine: number) => Promise<void>,
  progress: (lines: number, bytes: number) => void,
): Promise<LoadResult> {
  const format = binaryEncodable(specFor(file.table)) ? 'binary' : 'text';
  const parent = writer.checkParents ? PARENTS[file.table] : undefined;
  const worker = workers.take();
  const send = (message: ToWorker) => worker.postMessage(message);
  const queue: BatchMessage[] = [];
  let failure: Error | undefined;
  let doneLines: number | undefined;
  let sent = 0;
  let consumed = 0;
  let wakeReader: (() => void) | undefined;
  let wakeConsumer: (() => void) | undefined;
  const wake = () => {
    wakeReader?.();
    wakeConsumer?.();
    wakeReader = wakeConsumer = undefined;
  };
  let raw: Readable | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    // A read waiting on a slow export host ends now, not at its idle timeout.
    raw?.destroy();
    wake();
  };
  const onMessage = (message: FromWorker) => {
    if (message.type === 'batch') queue.push(message);
    else if (message.type === 'consumed') consumed++;
    else if (message.type === 'done') doneLines = message.lines;
    else fail(new Error(message.message));
    wake();
  };
  const onError = (error: Error) => fail(new Error(`the import's parse worker failed: ${error.message}`));
  const onExit = (code: number) => fail(new Error(`the import's parse worker stopped (exit code ${code})`));
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  worker.ref();

  const hash = createHash('sha256');
  let bytes = 0;
  const reading = (async () => {
    raw = await openRaw(file.location, options.http);
    if (failure) raw.destroy();
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      if (failure) break;
      hash.update(chunk);
      bytes += chunk.length;
      send({ type: 'chunk', data: chunk });
      sent++;
      while (sent - consumed >= CHUNKS_AHEAD && !failure) await new Promise<void>((resolve) => (wakeReader = resolve));
    }
    if (!failure) send({ type: 'end' });
  })().catch(fail);

  let rejected = 0;
  let parentMissing = 0;
  const write = async (batch: BatchMessage) => {
    let data: Buffer | string =
      typeof batch.data === 'string' ? batch.data : Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
    let rejects = batch.rejects;
    if (parent && batch.parentKeys!.length > 0) {
      const existing = await writer.existing(parent.table, batch.parentKeys!);
      if (existing.size < batch.parentKeys!.length) {
        // Cut out the rows whose parent is missing (rare: a partial or damaged export).
        const present = batch.parentKeys!.map((key) => existing.has(key.join('\u0000')));
        const raws = Buffer.from(batch.raws!.buffer, batch.raws!.byteOffset, batch.raws!.byteLength);
        const kept: (Buffer | string)[] = [];
        rejects = [...rejects];
        let start = 0;
        batch.rowEnds.forEach((end, i) => {
          const key = batch.parentKeys![batch.rowParents![i]!]!;
          if (present[batch.rowParents![i]!]) kept.push(typeof data === 'string' ? data.slice(start, end) : data.subarray(start, end));
          else {
            parentMissing++;
            const raw = raws.toString('utf8', i === 0 ? 0 : batch.rawEnds![i - 1], batch.rawEnds![i]);
            rejects.push({
              file: file.key,
              line: batch.rowLines[i]!,
              reason: `${PARENT_MISSING}${parent.describe(key)}`,
              raw: raw.slice(0, RAW_LIMIT),
            });
          }
          start = end;
        });
        data = typeof data === 'string' ? kept.join('') : Buffer.concat(kept as Buffer[]);
        rejects.sort((a, b) => a.line - b.line);
      }
    }
    rejected += rejects.length;
    if (rejects.length > 0) await report(rejects, batch.through);
    if (data.length > 0) await writer.writeEncoded!(data, format);
  };

  try {
    send({
      type: 'start',
      key: file.key,
      table: file.table,
      gzipped: file.key.endsWith('.gz'),
      maxLineBytes: options.maxLineBytes,
      batchSize: options.batchSize ?? 2000,
      visibility: options.visibility,
      ownerId: options.ownerId,
      format,
      checkParents: writer.checkParents,
    });
    for (;;) {
      if (failure) throw failure;
      const batch = queue.shift();
      if (batch) {
        await write(batch);
        send({ type: 'ack' });
        progress(batch.through, bytes);
      } else if (doneLines !== undefined) break;
      else await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
    await reading;
    if (failure) throw failure;
    progress(doneLines, bytes);
    return { lines: doneLines, rejected, parentMissing, sha256: hash.digest('hex') };
  } catch (error) {
    fail(error as Error);
    await reading;
    throw error;
  } finally {
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    worker.unref();
    if (failure) workers.discard(worker);
    else workers.give(worker);
  }
}
