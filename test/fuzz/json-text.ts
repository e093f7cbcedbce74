// JSON text with holes for values JavaScript cannot hold: `1e999`, a lone `\ud800` escape, a raw NUL
// byte. JSON.stringify would turn Infinity into null and re-encode strings, so a mutated body is a
// tree of plain values and `Raw` fragments written out as they are.

/** A fragment of JSON text inserted verbatim. */
export class Raw {
  constructor(readonly text: string) {}
}

export function encodeJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(encodeJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${encodeJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Stand-ins for bytes a JSON text cannot spell: written as private-use characters, swapped for the
 * raw bytes when the text is put on the wire. ED A0 80 is a surrogate encoded as UTF-8 (CESU-8);
 * FF FE is never valid UTF-8.
 */
export const RAW_BYTES = { surrogate: '\ue000', invalid: '\ue001' } as const;
const WIRE_BYTES: Array<[Buffer, Buffer]> = [
  [Buffer.from(RAW_BYTES.surrogate), Buffer.from([0xed, 0xa0, 0x80])],
  [Buffer.from(RAW_BYTES.invalid), Buffer.from([0xff, 0xfe])],
];

/** The body as sent: the text itself, or its UTF-8 bytes with the stand-ins swapped. */
export function toWire(text: string): string | Buffer {
  if (!text.includes(RAW_BYTES.surrogate) && !text.includes(RAW_BYTES.invalid)) return text;
  let bytes = Buffer.from(text);
  for (const [placeholder, raw] of WIRE_BYTES) {
    const parts: Buffer[] = [];
    let at = 0;
    for (let found = bytes.indexOf(placeholder); found !== -1; found = bytes.indexOf(placeholder, at)) {
      parts.push(bytes.subarray(at, found), raw);
      at = found + placeholder.length;
    }
    parts.push(bytes.subarray(at));
    bytes = Buffer.concat(parts);
  }
  return bytes;
}

/** A copy of `root` with the value at `path` replaced (or removed when `value` is `OMIT`). */
export const OMIT = Symbol('omit');
export function replaceAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(root)) {
    const copy = [...root];
    if (value === OMIT && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = replaceAt(root[Number(head)], rest, value);
    return copy;
  }
  const copy = { ...(root as Record<string, unknown>) };
  if (value === OMIT && rest.length === 0) delete copy[head];
  else copy[head] = replaceAt(copy[head], rest, value);
  return copy;
}
