// Reads a JSON number from bytes exactly as JSON.parse would (same grammar, same double), for the
// line scanner (fast-line.ts). Most numbers in an export are short decimals: those are converted
// with one exact multiplication or division (Clinger's fast path: a mantissa below 2^53 and a power
// of ten up to 1e22 are both exact doubles, so IEEE rounds the one operation correctly); any other
// is handed to Number(), whose result for JSON's number grammar is JSON.parse's.

export interface NumberOut {
  value: number;
}

const POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Up to 15 digits the mantissa is exact (10^15 < 2^53). */
const MAX_DIGITS = 15;

const digit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** Parses the number at b[i]; sets out.value and returns the index past it, or -1 if none is there. */
export function readNumber(b: Uint8Array, i: number, out: NumberOut): number {
  const start = i;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  if (b[i] === 0x30) i++;
  else if (digit(b[i]))
    while (digit(b[i])) {
      mantissa = mantissa * 10 + (b[i++]! - 0x30);
      digits++;
    }
  else return -1;
  if (b[i] === 0x2e) {
    i++;
    if (!digit(b[i])) return -1;
    while (digit(b[i])) {
      mantissa = mantissa * 10 + (b[i++]! - 0x30);
      if (mantissa > 0 || digits > 0) digits++; // leading zeros of 0.00x carry no digits
      scale--;
    }
  }
  let exponent = 0;
  let slow = false;
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    const negativeExponent = b[i] === 0x2d;
    if (b[i] === 0x2d || b[i] === 0x2b) i++;
    if (!digit(b[i])) return -1;
    while (digit(b[i])) {
      exponent = exponent * 10 + (b[i++]! - 0x30);
      if (exponent > 1000) slow = true; // Number() knows what 1e99999 is
    }
    if (negativeExponent) exponent = -exponent;
  }
  const power = scale + exponent;
  if (slow || digits > MAX_DIGITS || power > 22 || power < -22) {
    out.value = Number(Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('latin1'));
  } else {
    const magnitude = power >= 0 ? mantissa * POWERS[power]! : mantissa / POWERS[-power]!;
    out.value = negative ? -magnitude : magnitude;
  }
  return i;
}
