// GET /api/saelens/latent-decoder: one row of an SAE's decoder (one latent's direction) from a
// safetensors checkpoint on the Hugging Face hub, as upstream's fetchDecoderLatent: three ranged
// reads (the header's length, the header, the row), so a multi-GB file costs a few KB.
import { InvalidInput, UpstreamFailed } from '../../errors.js';
import type { HubClient } from '../../upstream/huggingface.js';

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
/** SAELens checkpoints name the decoder W_dec (upstream's default format). */
const DECODER_KEY = 'W_dec';
/** Safetensors headers of SAE checkpoints are a few KB; this bounds what one request can make us read. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Widest residual stream accepted (a row of 4 MB at F32). */
const MAX_D_MODEL = 1 << 20;

export interface DecoderLatent {
  repo: string;
  path: string;
  index: number;
  dtype: string;
  num_latents: number;
  d_model: number;
  values: number[];
}

function f16(h: number): number {
  const sign = h >> 15 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Little-endian values of one dtype; BF16 is the top half of an F32. */
export function decodeRow(bytes: Uint8Array, dtype: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_BYTES[dtype]!;
  return Array.from({ length: bytes.length / size }, (_, i) => {
    const at = i * size;
    if (dtype === 'F32') return view.getFloat32(at, true);
    if (dtype === 'F64') return view.getFloat64(at, true);
    const half = view.getUint16(at, true);
    if (dtype === 'F16') return f16(half);
    const wide = new DataView(new ArrayBuffer(4));
    wide.setUint32(0, half << 16, true);
    return wide.getFloat32(0, true);
  });
}

interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function parseHeader(bytes: Uint8Array): Record<string, TensorInfo> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, TensorInfo>;
  } catch {
    throw new InvalidInput('This file has no valid safetensors header');
  }
}

export async function fetchDecoderLatent(hub: HubClient, repo: string, path: string, index: number): Promise<DecoderLatent> {
  if (!path.endsWith('.safetensors')) throw new InvalidInput('path must point to a .safetensors file');
  const sizeBytes = await hub.readRange(repo, path, 0, 8, (s) => `Failed to access safetensors file (HTTP ${s}). Check repo/path.`);
  const headerSize = Number(new DataView(sizeBytes.buffer, sizeBytes.byteOffset, 8).getBigUint64(0, true));
  if (headerSize < 2 || headerSize > MAX_HEADER_BYTES)
    throw new InvalidInput(`This file's safetensors header is ${headerSize} bytes; at most ${MAX_HEADER_BYTES} are read`);
  const header = parseHeader(await hub.readRange(repo, path, 8, headerSize, (s) => `Failed to read safetensors header (HTTP ${s})`));

  const decoder = header[DECODER_KEY];
  if (!decoder || typeof decoder !== 'object')
    throw new InvalidInput(`Decoder tensor "${DECODER_KEY}" not found in this safetensors file (format=SAELens)`);
  const { dtype, shape, data_offsets: offsets } = decoder;
  const bytesPerElement = DTYPE_BYTES[dtype];
  if (!bytesPerElement) throw new InvalidInput(`Unsupported dtype: ${dtype}`);
  if (!Array.isArray(shape) || shape.length !== 2) throw new InvalidInput(`Expected 2D ${DECODER_KEY} tensor, got ${shape?.length}D`);
  const [numLatents, dModel] = shape as [number, number];
  if (!Number.isSafeInteger(dModel) || dModel < 1 || dModel > MAX_D_MODEL || !Array.isArray(offsets) || !Number.isSafeInteger(offsets[0]))
    throw new UpstreamFailed(`The ${DECODER_KEY} tensor's header entry is malformed`);
  if (index >= numLatents) throw new InvalidInput(`index ${index} out of range [0, ${numLatents - 1}]`);

  const rowBytes = dModel * bytesPerElement;
  const rowStart = 8 + headerSize + offsets[0] + index * rowBytes;
  const row = await hub.readRange(repo, path, rowStart, rowBytes, (s) => `Failed to fetch latent vector (HTTP ${s})`);
  return { repo, path, index, dtype, num_latents: numLatents, d_model: dModel, values: decodeRow(row, dtype) };
}
