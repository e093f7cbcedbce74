// What the importer's main thread and a parse worker say to each other (host.ts, worker.ts).
import type { Reject } from '../load-lines.js';

/** One file to parse: its stored bytes follow as `chunk` messages, then `end`. */
export interface StartMessage {
  type: 'start';
  key: string;
  table: string;
  gzipped: boolean;
  maxLineBytes: number;
  batchSize: number;
  visibility?: 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
  ownerId?: string;
  format: 'binary' | 'text';
  /** Whether the main thread checks parents (FileWriter.checkParents): only then do batches carry parent keys and raw lines. */
  checkParents: boolean;
}

export type ToWorker =
  | StartMessage
  /** Stored bytes of the file (copied, not transferred: a read stream's buffers may be pooled). */
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  /** The main thread has written one batch: the worker may make another. */
  | { type: 'ack' };

/** A batch of rows encoded for COPY, with what the main thread needs to check their parents. */
export interface BatchMessage {
  type: 'batch';
  /** The rows, encoded (binary: an ArrayBuffer transferred to the main thread; text: a string). */
  data: Uint8Array | string;
  /** Where each row ends in `data` (bytes, or characters for text). */
  rowEnds: number[];
  /** Each row's line number. */
  rowLines: number[];
  /** Tables with a parent: the distinct parent keys, and for each row the index of its key. */
  parentKeys?: string[][];
  rowParents?: number[];
  /** Tables with a parent: the rows' line bytes end to end (transferred), to report a row whose parent is missing. */
  raws?: Uint8Array;
  /** Where each row's line ends in `raws`. */
  rawEnds?: number[];
  /** The worker's own rejects (bad JSON, bad fields, over-long lines), in line order. */
  rejects: Reject[];
  /** The last line this batch covers. */
  through: number;
}

export type FromWorker =
  | BatchMessage
  /** One input chunk has been taken in: the main thread may send another. */
  | { type: 'consumed' }
  | { type: 'done'; lines: number }
  | { type: 'error'; message: string };
