// Reader for Hugging Face's safetensors files: u64-LE header length N, a JSON header
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw
// row-major little-endian data, each tensor at byte 8 + N + begin. There is no safetensors
// package on npm worth a dependency; the format is small enough to read here.
import { readFile } from 'node:fs/promises';

export interface Tensor {
  shape: number[];
  /** Always float32: f16 and bf16 are widened on load, so the engine has one number type. */
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** Every float tensor of the file; tensors of other dtypes (bool masks, ints) are skipped. */
export async function readSafetensors(path: string): Promise<Map<string, Tensor>> {
  return parseSafetensors(await readFile(path), path);
}

export function parseSafetensors(buf: Buffer, name = 'safetensors file'): Map<string, Tensor> {
  if (buf.length < 8) throw new Error(`${name}: not a safetensors file (too short)`);
  const headerLength = Number(buf.readBigUInt64LE(0));
  if (headerLength > buf.length - 8) throw new Error(`${name}: header length ${headerLength} past the end`);
  let header: Record<string, HeaderEntry>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, HeaderEntry>;
  } catch {
    throw new Error(`${name}: header is not JSON`);
  }
  const base = 8 + headerLength;
  const out = new Map<string, Tensor>();
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const width = BYTES[entry.dtype];
    if (width === undefined) continue;
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width || base + end > buf.length) {
      throw new Error(`${name}: tensor ${key} has ${end - begin} bytes for shape [${entry.shape.join(', ')}]`);
    }
    out.set(key, { shape: entry.shape, data: decode(buf, base + begin, count, entry.dtype) });
  }
  return out;
}

function decode(buf: Buffer, offset: number, count: number, dtype: string): Float32Array {
  if (dtype === 'F32') {
    // A view, not a copy (a 500 MB checkpoint stays one copy in memory); a Float32Array view needs
    // 4-byte alignment, so copy the bytes out when the file does not give it.
    const start = buf.byteOffset + offset;
    if (start % 4 === 0) return new Float32Array(buf.buffer, start, count);
    const copy = new Uint8Array(count * 4);
    copy.set(buf.subarray(offset, offset + count * 4));
    return new Float32Array(copy.buffer);
  }
  const out = new Float32Array(count);
  if (dtype === 'BF16') {
    // bf16 is the top half of a float32: shift it back into place.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = buf.readUInt16LE(offset + 2 * i) << 16;
    return out;
  }
  for (let i = 0; i < count; i++) out[i] = halfToFloat(buf.readUInt16LE(offset + 2 * i));
  return out;
}

/** IEEE 754 binary16 to a number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
