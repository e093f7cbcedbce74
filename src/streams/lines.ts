// Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.
// Node's readline builds each line as one string, so a single 700 MB line (a 712 KB gzip) throws
// "Invalid string length" and kills the process; here an over-long line is skipped to its end and
// reported by its size instead. Lines are split on the 0x0A byte before decoding, so a UTF-8
// character that spans two chunks is decoded whole.

export type TooLongLine = { number: number; tooLong: true; bytes: number; head: string };
export type Line = { number: number; text: string } | TooLongLine;
/** A line's bytes (without its \n or \r\n), valid only until the next batch of lines is asked for: they may be reused. */
export type ByteLine = { number: number; data: Buffer } | TooLongLine;

/** How much of an over-long line is kept (decoded) in `head`, for error reports. */
const HEAD_BYTES = 256;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Lines of a byte stream (\n or \r\n), 1-based numbers; a line over maxLineBytes is skipped to its
 * end and reported as tooLong (its bytes counted, not kept; `head` holds its first few hundred
 * bytes). A final line without newline is kept.
 */
export async function* splitLines(input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncIterable<Line> {
  for await (const batch of split(input, maxLineBytes, true)) yield* batch as Line[];
}

/**
 * splitLines without decoding, a batch per input chunk: each line's bytes, for a caller that reads
 * them itself (the import's parse worker). A batch's lines are valid until the next batch is asked
 * for. Batches, not lines, because an async generator's step (a promise and a microtask turn) cost
 * as much as a quarter of the work on a short line.
 */
export function splitLineByteBatches(input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncIterable<ByteLine[]> {
  return split(input, maxLineBytes, false) as AsyncIterable<ByteLine[]>;
}

/** The lines completed by each input chunk (and the last one at the end), as one batch per chunk that completes any. */
async function* split(input: AsyncIterable<Buffer | string>, maxLineBytes: number, decode: boolean): AsyncIterable<(Line | ByteLine)[]> {
  // The current line's pieces from earlier chunks (empty in the usual case of a line within one chunk).
  let parts: Buffer[] = [];
  let partBytes = 0;
  // Set once the current line is known to be over the limit: its bytes are only counted from then on.
  let skipping = false;
  let skippedBytes = 0;
  // The first bytes of an over-long line (up to HEAD_BYTES), decoded when the line ends.
  let head = Buffer.alloc(0);
  let lastByte = -1;
  let number = 0;

  // Lines that span chunks are joined here, reused from line to line, so that long lines do not
  // each leave a joined copy behind for the garbage collector (it grows to the longest line kept).
  // A batch holds at most one joined line (only a chunk's first line can span chunks).
  let scratch = Buffer.alloc(0);
  const join = (tail: Buffer) => {
    const length = partBytes + tail.length;
    if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, Math.min(2 * scratch.length, maxLineBytes + 1)));
    let at = 0;
    for (const part of parts) at += part.copy(scratch, at);
    tail.copy(scratch, at);
    return scratch.subarray(0, length);
  };

  const startSkipping = (more: Buffer) => {
    head = Buffer.concat([...parts, more], Math.min(HEAD_BYTES, partBytes + more.length));
    skipping = true;
    skippedBytes = partBytes + more.length;
    parts = [];
    partBytes = 0;
  };

  /** The line made of the pending parts plus `tail`; resets the state for the next line. */
  const finish = (tail: Buffer): Line | ByteLine => {
    number++;
    let line: Line | ByteLine;
    if (skipping) {
      const total = skippedBytes + tail.length;
      const endsWithCr = tail.length > 0 ? tail[tail.length - 1] === CR : lastByte === CR;
      const bytes = total - (endsWithCr ? 1 : 0);
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, tail], Math.min(HEAD_BYTES, head.length + tail.length));
      line = { number, tooLong: true, bytes, head: head.subarray(0, Math.min(head.length, bytes)).toString('utf8') };
    } else {
      let whole = parts.length === 0 ? tail : join(tail);
      if (whole.length > 0 && whole[whole.length - 1] === CR) whole = whole.subarray(0, whole.length - 1);
      line =
        whole.length > maxLineBytes
          ? { number, tooLong: true, bytes: whole.length, head: whole.subarray(0, HEAD_BYTES).toString('utf8') }
          : decode
            ? { number, text: whole.toString('utf8') }
            : { number, data: whole };
    }
    parts = [];
    partBytes = 0;
    skipping = false;
    skippedBytes = 0;
    head = Buffer.alloc(0);
    lastByte = -1;
    return line;
  };

  /** Keeps (or, past the limit, counts) a piece of the current line that has no newline after it yet. */
  const hold = (piece: Buffer) => {
    if (piece.length === 0) return;
    lastByte = piece[piece.length - 1]!;
    if (skipping) {
      skippedBytes += piece.length;
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, piece], Math.min(HEAD_BYTES, head.length + piece.length));
      // One byte of slack: a trailing \r is not part of the line and may still be followed by \n.
    } else if (partBytes + piece.length > maxLineBytes + 1) {
      startSkipping(piece);
    } else {
      // Kept by reference: a stream's chunk belongs to its reader once pushed.
      parts.push(piece);
      partBytes += piece.length;
    }
  };

  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const batch: (Line | ByteLine)[] = [];
    let start = 0;
    let end = buffer.indexOf(LF, start);
    while (end !== -1) {
      // Fast path: a whole line inside this chunk, decoded straight from it.
      if (parts.length === 0 && !skipping) {
        number++;
        const stop = end > start && buffer[end - 1] === CR ? end - 1 : end;
        if (stop - start > maxLineBytes) {
          batch.push({
            number,
            tooLong: true,
            bytes: stop - start,
            head: buffer.toString('utf8', start, Math.min(stop, start + HEAD_BYTES)),
          });
        } else {
          batch.push(decode ? { number, text: buffer.toString('utf8', start, stop) } : { number, data: buffer.subarray(start, stop) });
        }
      } else {
        batch.push(finish(buffer.subarray(start, end)));
      }
      start = end + 1;
      end = buffer.indexOf(LF, start);
    }
    if (start < buffer.length) hold(buffer.subarray(start));
    if (batch.length > 0) yield batch;
  }
  if (partBytes > 0 || skipping) yield [finish(Buffer.alloc(0))];
}
