// Encodes one export line straight from its bytes into binary COPY, without JSON.parse, toRow or
// a row of JS values: most of the import's CPU went there (an activation line is mostly short
// strings and numbers, each becoming a JS value, then checked, then written again). Only the plain
// shape of a record is handled here: an object of known, distinct keys whose values are strings,
// numbers, true/false/null or flat arrays of them, in valid UTF-8. Anything else (unknown or repeated
// keys, invalid UTF-8, a lone surrogate, a number the column must convert, a value the column
// refuses, malformed JSON) makes it give up on the line, leaving the encoder as it was, and the
// general path (line-convert.ts + the encoder's push) decides: so rows and rejects are exactly the
// general path's.
//
// One pass: each field is encoded, in the record's order, into a scratch encoder as it is met;
// then the row is assembled in column order (absent columns get their fallback, as in toRow).
// The line is an argument of each helper, not a variable they share and reassign, so that the
// compiler can keep it (and its length) at hand across the inlined helpers.
import { BinaryRowEncoder, ELEMENT_OID, INT32_MAX, INT32_MIN } from '../db/import/copy-binary.js';
import type { ColumnSpec, TableSpec, Value } from '../db/import/table-spec.js';
import { readNumber, type NumberOut } from './fast-number.js';
import { writeJsonString, type StringFlags } from './fast-string.js';

/** Column kinds the scanner encodes itself, as small numbers (0: any other kind, left to the general path). */
const TEXT = 1;
const FLOAT = 2;
const INTEGER = 3;
const BOOLEAN = 4;
const KIND_CODE: Partial<Record<ColumnSpec['kind'], number>> = { text: TEXT, float: FLOAT, integer: INTEGER, boolean: BOOLEAN };
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const N = 0x6e; // null
const T = 0x74; // true
const NO_KEY: string[] = [];

/** Past any JSON whitespace from b[i]. */
function space(b: Buffer, i: number): number {
  let c = b[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
  return i;
}

/** Past `word` if b[i] starts with it, else -1. */
function literal(b: Buffer, i: number, word: string): number {
  for (let j = 0; j < word.length; j++) if (b[i + j] !== word.charCodeAt(j)) return -1;
  return i + word.length;
}

/**
 * A function that encodes a line of `spec`'s table into `encoder` and returns its parent key (the
 * values of `parentFields`, [] without), or undefined when the line is not of the plain shape
 * (then nothing is written).
 */
export function fastLineEncoder(
  spec: TableSpec,
  parentFields: string[] | undefined,
  encoder: BinaryRowEncoder,
): (line: Buffer) => string[] | undefined {
  const columns = spec.columns;
  const count = columns.length;
  const names = columns.map((c) => Buffer.from(c.name, 'utf8'));
  const kinds = Uint8Array.from(columns, (c) => KIND_CODE[c.kind] ?? 0);
  // Array element type OIDs, as copy-binary.ts writes them (0: not an array kind encoded here).
  const elementOids = Int32Array.from(columns, (c) => (c.array ? (ELEMENT_OID[c.kind] ?? 0) : 0));
  const parentOf = Int32Array.from(columns, (c) => (parentFields ? parentFields.indexOf(c.name) : -1));
  const parentCount = parentFields?.length ?? 0;
  // Where each column's field lies in the scratch encoder (-1: absent from the record).
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const scratch = new BinaryRowEncoder([], 1 << 14);
  const num: NumberOut = { value: 0 };
  const flags: StringFlags = { nul: false };
  // Lines repeat their shape: the column met at each position of the last record is tried first.
  const lastOrder = new Int32Array(count + 1);
  // Absent columns' fallbacks encoded once per distinct value (a default, null, [], the import's
  // now, which changes once a second), and parent key values decoded once per distinct bytes.
  const fallbackValues: unknown[] = columns.map(() => undefined);
  const fallbackBytes = columns.map(() => new BinaryRowEncoder([], 64));
  const lastKeys = new Array<string>(parentCount).fill('');
  const lastKeyBytes = Array.from({ length: parentCount }, () => Buffer.alloc(0));

  /**
   * The column whose name, then a closing quote, is at b[start], trying `guess` first (keys usually
   * come in one order). A key with an escape or a control character matches no column name.
   */
  const columnOf = (b: Buffer, start: number, guess: number) => {
    for (let k = 0; k < count; k++) {
      const c = guess + k < count ? guess + k : guess + k - count;
      const name = names[c]!;
      const length = name.length;
      if (b[start + length] !== QUOTE) continue;
      let j = 0;
      while (j < length && name[j] === b[start + j]) j++;
      if (j === length) return c;
    }
    return -1;
  };

  /** Writes one non-null scalar of kind `kind` (length-prefixed) into the scratch; returns past it, or -1. */
  const scalar = (b: Buffer, i: number, kind: number) => {
    if (kind === TEXT) return writeJsonString(b, i, scratch, flags);
    if (kind === FLOAT) {
      const end = readNumber(b, i, num);
      // 1e999 is Infinity: toRow refuses it.
      if (end < 0 || !Number.isFinite(num.value)) return -1;
      scratch.float64Field(num.value);
      return end;
    }
    if (kind === INTEGER) {
      const end = readNumber(b, i, num);
      const n = num.value;
      if (end < 0 || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) return -1;
      scratch.int32(4);
      scratch.int32(n);
      return end;
    }
    if (kind === BOOLEAN) {
      const end = b[i] === T ? literal(b, i, 'true') : literal(b, i, 'false');
      if (end < 0) return -1;
      scratch.int32(1);
      scratch.byte(b[i] === T ? 1 : 0);
      return end;
    }
    return -1; // bigint, timestamp: rare in exports; the general path converts them
  };

  /** Writes column c's array field (from its '[') into the scratch; returns past it, or -1. */
  const array = (b: Buffer, i: number, c: number) => {
    const oid = elementOids[c]!;
    if (b[i] !== OPEN_ARRAY || oid === 0) return -1;
    const kind = kinds[c]!;
    const lengthAt = scratch.mark();
    scratch.int32(0);
    scratch.int32(1); // dimensions
    scratch.int32(0); // has nulls
    scratch.int32(oid);
    const countAt = scratch.mark();
    scratch.int32(0);
    scratch.int32(1); // lower bound
    let length = 0;
    let nulls = 0;
    // Each separator's byte is read once; whitespace (<= 0x20) is rare in exports.
    let d = b[++i]!;
    if (d <= 0x20) d = b[(i = space(b, i))]!;
    if (d !== CLOSE_ARRAY)
      for (;;) {
        if (d === N) {
          i = literal(b, i, 'null');
          scratch.int32(-1);
          nulls = 1;
        } else i = scalar(b, i, kind);
        if (i < 0) return -1;
        length++;
        d = b[i]!;
        if (d <= 0x20) d = b[(i = space(b, i))]!;
        if (d === CLOSE_ARRAY) break;
        if (d !== COMMA) return -1;
        d = b[++i]!;
        if (d <= 0x20) d = b[(i = space(b, i))]!;
      }
    if (length === 0) {
      scratch.rollback(countAt); // an empty array has no dimensions
      scratch.int32At(lengthAt + 4, 0);
    } else scratch.int32At(countAt, length);
    scratch.int32At(lengthAt + 8, nulls);
    scratch.int32At(lengthAt, scratch.mark() - lengthAt - 4);
    return i + 1;
  };

  /** Writes column c's field from its value at b[i] into the scratch; returns past the value, or -1. */
  const field = (b: Buffer, c: number, i: number) => {
    const column = columns[c]!;
    if (b[i] === N) {
      // null: what toRow makes of it (where none is allowed, its reject).
      const end = literal(b, i, 'null');
      if (end < 0 || (column.notNull && !column.array)) return -1;
      if (!column.notNull) {
        scratch.int32(-1);
        return end;
      }
      return fallback(scratch, column, column.fallback?.() ?? []) ? end : -1;
    }
    return column.array ? array(b, i, c) : scalar(b, i, kinds[c]!);
  };

  /** Encodes a converted value (a column's fallback); false if the encoder refuses it. */
  const fallback = (out: BinaryRowEncoder, column: ColumnSpec, value: Value) => {
    try {
      out.value(value, column);
      return true;
    } catch {
      return false;
    }
  };

  /** A parent key's value from the scratch's bytes [start, end), decoded only when they differ from the last. */
  const keyText = (p: number, start: number, end: number) => {
    const last = lastKeyBytes[p]!;
    if (!scratch.equals(last, start, end)) {
      lastKeys[p] = scratch.text(start, end);
      lastKeyBytes[p] = Buffer.from(lastKeys[p], 'utf8');
    }
    return lastKeys[p]!;
  };

  /** Appends an absent column's fallback to the encoder; false if there is none (a required field). */
  const absent = (c: number) => {
    const column = columns[c]!;
    if (!column.fallback) return false;
    const value = column.fallback();
    const cached = fallbackBytes[c]!;
    if (value !== fallbackValues[c]) {
      cached.rollback(0);
      if (!fallback(cached, column, value)) return false;
      fallbackValues[c] = value;
    }
    cached.copyTo(encoder, 0, cached.length);
    return true;
  };

  /** Reads the record into the scratch; its parent key, or undefined to give up. */
  const read = (b: Buffer): string[] | undefined => {
    let i = space(b, 0);
    if (b[i] !== OPEN_OBJECT) return undefined;
    starts.fill(-1);
    scratch.rollback(0);
    const key = parentCount === 0 ? NO_KEY : new Array<string>(parentCount);
    let position = 0;
    let d = b[++i]!;
    if (d <= 0x20) d = b[(i = space(b, i))]!;
    if (d !== CLOSE_OBJECT)
      for (;;) {
        if (d !== QUOTE) return undefined;
        const c = columnOf(b, i + 1, position < count ? lastOrder[position]! : 0);
        if (c < 0 || starts[c] !== -1) return undefined; // unknown or repeated key
        i += names[c]!.length + 2;
        d = b[i]!;
        if (d <= 0x20) d = b[(i = space(b, i))]!;
        if (d !== COLON) return undefined;
        if (b[++i]! <= 0x20) i = space(b, i);
        flags.nul = false;
        const start = scratch.mark();
        starts[c] = start;
        i = field(b, c, i);
        if (i < 0) return undefined;
        ends[c] = scratch.mark();
        const p = parentOf[c]!;
        if (p >= 0) {
          // The general path's key is the value before NUL became a space.
          if (flags.nul) return undefined;
          key[p] = keyText(p, start + 4, ends[c]!);
        }
        if (position < count) lastOrder[position++] = c;
        d = b[i]!;
        if (d <= 0x20) d = b[(i = space(b, i))]!;
        if (d === CLOSE_OBJECT) break;
        if (d !== COMMA) return undefined;
        d = b[++i]!;
        if (d <= 0x20) d = b[(i = space(b, i))]!;
      }
    return space(b, i + 1) === b.length ? key : undefined;
  };

  return (line) => {
    const key = read(line);
    if (!key) return undefined;
    const rowStart = encoder.mark();
    encoder.int16(count);
    for (let c = 0; c < count; c++) {
      if (starts[c] !== -1) scratch.copyTo(encoder, starts[c]!, ends[c]!);
      else if (!absent(c)) {
        // A required field is missing: the general path's reject.
        encoder.rollback(rowStart);
        return undefined;
      }
    }
    return key;
  };
}
