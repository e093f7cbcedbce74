// Elementwise and row-wise operations of the transformer, on row-major Float32Arrays.

/** `(x − mean)/sqrt(var + eps)·w + b` per row of `width` (biased variance, as torch's LayerNorm). */
export function layerNorm(x: Float32Array, rows: number, width: number, w: Float32Array, b: Float32Array, eps = 1e-5): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let mean = 0;
    for (let i = 0; i < width; i++) mean += x[o + i]!;
    mean /= width;
    let v = 0;
    for (let i = 0; i < width; i++) {
      const d = x[o + i]! - mean;
      v += d * d;
    }
    const inv = 1 / Math.sqrt(v / width + eps);
    for (let i = 0; i < width; i++) out[o + i] = (x[o + i]! - mean) * inv * w[i]! + b[i]!;
  }
  return out;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GPT-2's `gelu_new` (tanh approximation), in place. */
export function geluNew(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!;
    x[i] = 0.5 * u * (1 + Math.tanh(GELU_C * (u + 0.044715 * u * u * u)));
  }
  return x;
}

/** `a += b`, elementwise, in place. */
export function addInto(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  return a;
}

/** Dot product of `a[ao..ao+n)` and `b[bo..bo+n)`. */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i]! * b[bo + i]!;
  return s;
}
