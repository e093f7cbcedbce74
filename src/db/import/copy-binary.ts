// Encodes rows in Postgres's binary COPY format, for tables whose columns are all of the kinds
// below. Why: text COPY spends most of its time turning doubles into decimal text here and back
// into doubles on the server (an activation row is mostly float arrays); binary writes each
// double as its 8 bytes and the server copies them. Tables with other kinds (json, vector, enum)
// keep text COPY (copy-text.ts).
//
// Format (PostgreSQL docs, "COPY … Binary Format"): a signature and two int32s, then per row an
// int16 field count and per field an int32 length (-1: NULL) and the type's binary (send/recv)
// form; an int16 -1 ends the data. An array is int32 dimensions, int32 has-nulls, int32 element
// type OID, per dimension int32 length and lower bound, then its elements as fields.
import type { ColumnSpec, TableSpec, Value } from './table-spec.js';

/** The "record is unusable" error of the row converter; thrown for a value this format cannot hold. */
export class BinaryValueError extends Error {}

/** Element type OIDs (pg_type.h): array_recv refuses elements of another type. */
export const ELEMENT_OID: Partial<Record<ColumnSpec['kind'], number>> = { text: 25, float: 701, integer: 23 };
const SCALAR_KINDS = new Set<ColumnSpec['kind']>(['text', 'float', 'integer', 'bigint', 'boolean', 'timestamp']);
/** 2000-01-01T00:00:00Z, Postgres's timestamp epoch, in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Whether every column of `spec` has a binary encoding here. */
export function binaryEncodable(spec: TableSpec): boolean {
  return spec.columns.every((c) => (c.array ? ELEMENT_OID[c.kind] !== undefined : SCALAR_KINDS.has(c.kind)));
}

/** The header that starts a binary COPY stream (once, before the first row). */
export function binaryCopyHeader(): Buffer {
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  return header;
}

/** The trailer that ends a binary COPY stream. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Appends rows to one growing buffer; `take()` hands the bytes so far over (a fresh buffer of
 * their own, so they can be transferred to another thread) and starts again. `rowEnd()` after
 * each row gives its end offset, so that rows can be cut out again (e.g. one whose parent is
 * missing) without re-encoding.
 */
export class BinaryRowEncoder {
  private buffer: Buffer;
  private view: DataView;
  private at = 0;

  constructor(
    private readonly columns: ColumnSpec[],
    initialBytes = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  get length(): number {
    return this.at;
  }

  /** Encodes one row; on a value it cannot hold, throws BinaryValueError and leaves no partial row. */
  push(row: Value[]): void {
    const start = this.at;
    try {
      this.ensure(2);
      this.view.setInt16(this.at, this.columns.length);
      this.at += 2;
      for (let i = 0; i < this.columns.length; i++) this.field(row[i]!, this.columns[i]!);
    } catch (error) {
      this.at = start;
      throw error;
    }
  }

  /** The bytes encoded since the last take, in an ArrayBuffer of their own. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at);
    this.buffer.copy(out, 0, 0, this.at);
    this.at = 0;
    return out;
  }

  // Low-level writes for a caller that encodes a row straight from its JSON bytes
  // (ingest/fast-line.ts); it rolls back to its mark() when it gives up on a row.
  mark(): number {
    return this.at;
  }
  /** Moves the end of the bytes to `at` (back, to undo; forward, past bytes written into reserve()). */
  rollback(at: number) {
    this.at = at;
  }
  /** Room for `bytes` more bytes; the buffer to write them into directly, from mark() on. */
  reserve(bytes: number): Buffer {
    this.ensure(bytes);
    return this.buffer;
  }
  /** Appends this encoder's bytes [start, end) to `target`. */
  copyTo(target: BinaryRowEncoder, start: number, end: number) {
    target.bytes(this.buffer, start, end);
  }
  int16(n: number) {
    this.ensure(2);
    this.view.setInt16(this.at, n);
    this.at += 2;
  }
  int32(n: number) {
    this.ensure(4);
    this.view.setInt32(this.at, n);
    this.at += 4;
  }
  int32At(at: number, n: number) {
    this.view.setInt32(at, n);
  }
  /** A float8 field: its length and the double. */
  float64Field(x: number) {
    this.ensure(12);
    this.view.setInt32(this.at, 8);
    this.view.setFloat64(this.at + 4, x);
    this.at += 12;
  }
  byte(b: number) {
    this.ensure(1);
    this.buffer[this.at++] = b;
  }
  bytes(source: Buffer, start: number, end: number) {
    this.ensure(end - start);
    // A short run (a token) is copied faster by a loop than by a native call.
    if (end - start < 64) {
      const buffer = this.buffer;
      let at = this.at;
      for (let i = start; i < end; i++) buffer[at++] = source[i]!;
    } else source.copy(this.buffer, this.at, start, end);
    this.at += end - start;
  }
  /** Whether the bytes [start, end) are those of `other`. */
  equals(other: Uint8Array, start: number, end: number): boolean {
    if (other.length !== end - start) return false;
    for (let i = 0; i < other.length; i++) if (other[i] !== this.buffer[start + i]) return false;
    return true;
  }
  /** The utf8 text written between two offsets. */
  text(start: number, end: number): string {
    return this.buffer.toString('utf8', start, end);
  }
  /** One field of `column` from a converted value (throws BinaryValueError as push does). */
  value(value: Value, column: ColumnSpec) {
    this.field(value, column);
  }

  private ensure(bytes: number) {
    if (this.at + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(next, 0, 0, this.at);
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private field(value: Value, column: ColumnSpec) {
    if (value === null) {
      this.ensure(4);
      this.view.setInt32(this.at, -1);
      this.at += 4;
    } else if (column.array) this.array(value as Value[], column);
    else this.scalar(value, column.kind, column.name);
  }

  /** A length-prefixed scalar (the prefix is written here). */
  private scalar(value: Value, kind: ColumnSpec['kind'], name: string) {
    switch (kind) {
      case 'text': {
        const text = value as string;
        // utf8 needs at most 3 bytes per UTF-16 unit.
        this.ensure(4 + text.length * 3);
        const bytes = this.buffer.write(text, this.at + 4, 'utf8');
        this.view.setInt32(this.at, bytes);
        this.at += 4 + bytes;
        return;
      }
      case 'float':
        this.ensure(12);
        this.view.setInt32(this.at, 8);
        this.view.setFloat64(this.at + 4, value as number);
        this.at += 12;
        return;
      case 'integer': {
        const n = value as number;
        if (n < INT32_MIN || n > INT32_MAX) throw new BinaryValueError(`${name}: ${n} is out of range for an integer`);
        this.ensure(8);
        this.view.setInt32(this.at, 4);
        this.view.setInt32(this.at + 4, n);
        this.at += 8;
        return;
      }
      case 'bigint':
        this.int64(value as number);
        return;
      case 'boolean':
        this.ensure(5);
        this.view.setInt32(this.at, 1);
        this.buffer[this.at + 4] = value ? 1 : 0;
        this.at += 5;
        return;
      case 'timestamp': {
        // The converter's ISO text; microseconds since Postgres's epoch (fits a double exactly).
        const ms = Date.parse(value as string);
        if (Number.isNaN(ms)) throw new BinaryValueError(`${name}: not a valid date`);
        this.int64((ms - PG_EPOCH_MS) * 1000);
        return;
      }
      default:
        throw new Error(`copy-binary: no binary encoding for ${kind} (${name})`);
    }
  }

  private int64(n: number) {
    this.ensure(12);
    const high = Math.floor(n / 4_294_967_296);
    this.view.setInt32(this.at, 8);
    this.view.setInt32(this.at + 4, high);
    this.view.setUint32(this.at + 8, n - high * 4_294_967_296);
    this.at += 12;
  }

  private array(values: Value[], column: ColumnSpec) {
    const oid = ELEMENT_OID[column.kind]!;
    const n = values.length;
    const lengthAt = this.at;
    this.ensure(n === 0 ? 16 : 24);
    const view = this.view;
    this.at += 4; // the array's length, written at the end
    view.setInt32(this.at, n === 0 ? 0 : 1);
    view.setInt32(this.at + 4, values.includes(null) ? 1 : 0);
    view.setInt32(this.at + 8, oid);
    this.at += 12;
    if (n > 0) {
      view.setInt32(this.at, n);
      view.setInt32(this.at + 4, 1);
      this.at += 8;
    }
    if (column.kind === 'float') {
      // The bulk of an activation row: a tight loop of 12 bytes per element.
      this.ensure(12 * n);
      const v = this.view;
      let at = this.at;
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === null) {
          v.setInt32(at, -1);
          at += 4;
        } else {
          v.setInt32(at, 8);
          v.setFloat64(at + 4, x as number);
          at += 12;
        }
      }
      this.at = at;
    } else {
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x === null) {
          this.ensure(4);
          this.view.setInt32(this.at, -1);
          this.at += 4;
        } else this.scalar(x, column.kind, column.name);
      }
    }
    this.view.setInt32(lengthAt, this.at - lengthAt - 4);
  }
}
