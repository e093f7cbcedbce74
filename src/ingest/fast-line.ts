// Encodes one export line straight from its bytes into binary COPY, without JSON.parse, toRow or
// a row of JS values: most of the import's CPU went there (an activation line is mostly short
// strings and numbers, each becoming a JS value, then checked, then written again). Only the plain
// shape of a record is handled here: an object of known, distinct keys whose values are strings,
// numbers, true/false/null or flat arrays of them, in valid UTF-8. Anything else (unknown or repeated
// keys, a lone surrogate, a number the column must convert, a value the column refuses, malformed
// JSON) makes it give up on the line, leaving the encoder as it was, and the general path
// (line-convert.ts + the encoder's push) decides: so rows and rejects are exactly the general path's.
//
// One pass: each field is encoded, in the record's order, into a scratch encoder as it is met;
// then the row is assembled in column order (absent columns get their fallback, as in toRow).
import { isUtf8 } from 'node:buffer';
import { BinaryRowEncoder } from '../db/import/copy-binary.js';
import type { ColumnSpec, TableSpec, Value } from '../db/import/table-spec.js';
import { readNumber, type NumberOut } from './fast-number.js';
import { writeJsonString, type StringFlags } from './fast-string.js';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const ELEMENT_OID: Partial<Record<ColumnSpec['kind'], number>> = { text: 25, float: 701, integer: 23 };
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const N = 0x6e; // null
const T = 0x74; // true

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
  const names = columns.map((c) => Buffer.from(c.name, 'utf8'));
  const parentOf = columns.map((c) => (parentFields ? parentFields.indexOf(c.name) : -1));
  const parentCount = parentFields?.length ?? 0;
  // Where each column's field lies in the scratch encoder (-1: absent from the record).
  const starts = new Int32Array(columns.length);
  const ends = new Int32Array(columns.length);
  const scratch = new BinaryRowEncoder([], 1 << 14);
  const num: NumberOut = { value: 0 };
  const flags: StringFlags = { nul: false };
  let b: Buffer = Buffer.alloc(0);
  // Lines repeat their shape: the column met at each position of the last record is tried first.
  const lastOrder = new Int32Array(columns.length + 1);
  // Absent columns' fallbacks encoded once per distinct value (a default, null, [], the import's
  // now, which changes once a second), and parent key values decoded once per distinct bytes.
  const fallbackValues: unknown[] = columns.map(() => undefined);
  const fallbackBytes = columns.map(() => new BinaryRowEncoder([], 64));
  const lastKeys = new Array<string>(parentCount).fill('');
  const lastKeyBytes = Array.from({ length: parentCount }, () => Buffer.alloc(0));

  const space = (i: number) => {
    let c = b[i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
    return i;
  };

  /**
   * The column whose name, then a closing quote, is at b[start], trying `guess` first (keys usually
   * come in one order). A key with an escape or a control character matches no column name.
   */
  const columnOf = (start: number, guess: number) => {
    for (let k = 0; k < columns.length; k++) {
      const c = guess + k < columns.length ? guess + k : guess + k - columns.length;
      const name = names[c]!;
      let j = 0;
      while (j < name.length && name[j] === b[start + j]) j++;
      if (j === name.length && b[start + j] === QUOTE) return c;
    }
    return -1;
  };

  const literal = (i: number, word: string) => {
    for (let j = 0; j < word.length; j++) if (b[i + j] !== word.charCodeAt(j)) return -1;
    return i + word.length;
  };

  /** Writes one non-null scalar of `kind` (length-prefixed) into the scratch; returns past it, or -1. */
  const scalar = (i: number, kind: ColumnSpec['kind']) => {
    switch (kind) {
      case 'text':
        return writeJsonString(b, i, scratch, flags);
      case 'float': {
        const end = readNumber(b, i, num);
        // 1e999 is Infinity: toRow refuses it.
        if (end < 0 || !Number.isFinite(num.value)) return -1;
        scratch.float64Field(num.value);
        return end;
      }
      case 'integer': {
        const end = readNumber(b, i, num);
        const n = num.value;
        if (end < 0 || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) return -1;
        scratch.int32(4);
        scratch.int32(n);
        return end;
      }
      case 'boolean': {
        const end = b[i] === T ? literal(i, 'true') : literal(i, 'false');
        if (end < 0) return -1;
        scratch.int32(1);
        scratch.byte(b[i] === T ? 1 : 0);
        return end;
      }
      default:
        return -1; // bigint, timestamp: rare in exports; the general path converts them
    }
  };

  /** Writes an array field (from its '[') into the scratch; returns past it, or -1. */
  const array = (i: number, column: ColumnSpec) => {
    if (b[i] !== OPEN_ARRAY) return -1;
    const lengthAt = scratch.mark();
    scratch.int32(0);
    scratch.int32(1); // dimensions
    scratch.int32(0); // has nulls
    scratch.int32(ELEMENT_OID[column.kind]!);
    const countAt = scratch.mark();
    scratch.int32(0);
    scratch.int32(1); // lower bound
    let count = 0;
    let nulls = 0;
    i = space(i + 1);
    if (b[i] !== CLOSE_ARRAY)
      for (;;) {
        if (b[i] === N) {
          i = literal(i, 'null');
          scratch.int32(-1);
          nulls = 1;
        } else i = scalar(i, column.kind);
        if (i < 0) return -1;
        count++;
        i = space(i);
        if (b[i] === CLOSE_ARRAY) break;
        if (b[i] !== COMMA) return -1;
        i = space(i + 1);
      }
    if (count === 0) {
      scratch.rollback(countAt); // an empty array has no dimensions
      scratch.int32At(lengthAt + 4, 0);
    } else scratch.int32At(countAt, count);
    scratch.int32At(lengthAt + 8, nulls);
    scratch.int32At(lengthAt, scratch.mark() - lengthAt - 4);
    return i + 1;
  };

  /** Writes column c's field from its value at b[i] into the scratch; returns past the value, or -1. */
  const field = (c: number, i: number) => {
    const column = columns[c]!;
    if (b[i] === N) {
      // null: what toRow makes of it (where none is allowed, its reject).
      const end = literal(i, 'null');
      if (end < 0 || (column.notNull && !column.array)) return -1;
      return fallback(scratch, column, column.notNull ? (column.fallback?.() ?? []) : null) ? end : -1;
    }
    if (column.array && !ELEMENT_OID[column.kind]) return -1;
    return column.array ? array(i, column) : scalar(i, column.kind);
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
  const read = (): string[] | undefined => {
    let i = space(0);
    if (b[i] !== OPEN_OBJECT || !isUtf8(b)) return undefined;
    starts.fill(-1);
    scratch.rollback(0);
    const key = new Array<string>(parentCount);
    let position = 0;
    i = space(i + 1);
    if (b[i] !== CLOSE_OBJECT)
      for (;;) {
        if (b[i] !== QUOTE) return undefined;
        const c = columnOf(i + 1, position < columns.length ? lastOrder[position]! : 0);
        if (c < 0 || starts[c] !== -1) return undefined; // unknown or repeated key
        i = space(i + names[c]!.length + 2);
        if (b[i] !== COLON) return undefined;
        flags.nul = false;
        starts[c] = scratch.mark();
        i = field(c, space(i + 1));
        if (i < 0) return undefined;
        ends[c] = scratch.mark();
        const p = parentOf[c]!;
        // The general path's key is the value before NUL became a space.
        if (p >= 0 && flags.nul) return undefined;
        if (p >= 0) key[p] = keyText(p, starts[c]! + 4, ends[c]!);
        if (position < columns.length) lastOrder[position++] = c;
        i = space(i);
        if (b[i] === CLOSE_OBJECT) break;
        if (b[i] !== COMMA) return undefined;
        i = space(i + 1);
      }
    return space(i + 1) === b.length ? key : undefined;
  };

  return (line) => {
    b = line;
    const key = read();
    if (!key) return undefined;
    const rowStart = encoder.mark();
    encoder.int16(columns.length);
    for (let c = 0; c < columns.length; c++) {
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
