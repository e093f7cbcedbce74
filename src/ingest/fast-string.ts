// Writes a JSON string from its bytes as a length-prefixed UTF-8 text field, for the line scanner
// (fast-line.ts), unescaping as JSON.parse does. Bytes from 0x80 up are copied as they are when
// they form valid UTF-8 (checked here, sequence by sequence: Node's isUtf8 over the whole line cost
// ~0.7 µs a line, as much as the rest of a string's scan); invalid UTF-8 (which the general path's
// decoding turns into U+FFFD), what JSON.parse would refuse (a raw control character, a bad escape,
// an unterminated string) or turn into a lone surrogate (which Postgres's UTF-8 cannot hold as it
// is) makes it give up (-1), and the general path decides.
import type { BinaryRowEncoder } from '../db/import/copy-binary.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** What the one-character escapes stand for (0: not an escape). */
const ESCAPED = new Uint8Array(128);
for (const [c, out] of [
  ['"', 0x22],
  ['\\', 0x5c],
  ['/', 0x2f],
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
] as const)
  ESCAPED[c.charCodeAt(0)] = out;

export interface StringFlags {
  /** Set when the string held \u0000, written as a space: Postgres text cannot hold NUL, and toRow does the same. */
  nul: boolean;
}

/** Writes the string whose opening quote is at b[i]; returns the index past its closing quote, or -1 (nothing kept). */
export function writeJsonString(b: Buffer, i: number, out: BinaryRowEncoder, flags: StringFlags): number {
  if (b[i] !== QUOTE) return -1;
  const lengthAt = out.mark();
  // The text is never longer than its JSON form (an escape is at least as long as what it stands for).
  const o = out.reserve(4 + b.length - i);
  let at = lengthAt + 4;
  for (i++; ;) {
    const c = b[i];
    if (c === undefined) return -1;
    if (c === QUOTE) break;
    if (c !== BACKSLASH) {
      if (c < 0x20) return -1;
      if (c < 0x80) {
        o[at++] = c;
        i++;
        continue;
      }
      const n = utf8SequenceLength(b, i);
      if (n === 0) return -1;
      for (const stop = i + n; i < stop;) o[at++] = b[i++]!;
      continue;
    }
    const e = b[i + 1] ?? 0;
    if (e !== 0x75) {
      const unescaped = e < 128 ? ESCAPED[e]! : 0;
      if (unescaped === 0) return -1;
      o[at++] = unescaped;
      i += 2;
      continue;
    }
    let cp = hex4(b, i + 2);
    i += 6;
    if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return -1; // bad hex, or a lone low surrogate
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = b[i] === BACKSLASH && b[i + 1] === 0x75 ? hex4(b, i + 2) : -1;
      if (low < 0xdc00 || low > 0xdfff) return -1; // a lone high surrogate
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      i += 6;
    }
    if (cp === 0) {
      flags.nul = true;
      cp = 0x20;
    }
    if (cp < 0x80) o[at++] = cp;
    else if (cp < 0x800) {
      o[at++] = 0xc0 | (cp >> 6);
      o[at++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      o[at++] = 0xe0 | (cp >> 12);
      o[at++] = 0x80 | ((cp >> 6) & 63);
      o[at++] = 0x80 | (cp & 63);
    } else {
      o[at++] = 0xf0 | (cp >> 18);
      o[at++] = 0x80 | ((cp >> 12) & 63);
      o[at++] = 0x80 | ((cp >> 6) & 63);
      o[at++] = 0x80 | (cp & 63);
    }
  }
  out.rollback(at);
  out.int32At(lengthAt, at - lengthAt - 4);
  return i + 1;
}

/**
 * The length of the valid UTF-8 sequence whose lead byte (>= 0x80) is at b[i], or 0: a stray
 * continuation byte, an overlong form, an encoded surrogate, a code point past U+10FFFF or a cut
 * sequence (the Unicode standard's table of well-formed byte sequences).
 */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  // Bytes past the end read as undefined, which fails every test below.
  const c1 = b[i + 1]!;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return (c1 & 0xc0) === 0x80 ? 2 : 0;
  const c2 = b[i + 2]!;
  if (c < 0xf0) {
    const low = c === 0xe0 ? 0xa0 : 0x80;
    const high = c === 0xed ? 0x9f : 0xbf;
    return c1 >= low && c1 <= high && (c2 & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c > 0xf4) return 0;
  const c3 = b[i + 3]!;
  const low = c === 0xf0 ? 0x90 : 0x80;
  const high = c === 0xf4 ? 0x8f : 0xbf;
  return c1 >= low && c1 <= high && (c2 & 0xc0) === 0x80 && (c3 & 0xc0) === 0x80 ? 4 : 0;
}

function hex4(b: Buffer, i: number): number {
  let n = 0;
  for (let j = i; j < i + 4; j++) {
    const c = b[j] ?? 0;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}
