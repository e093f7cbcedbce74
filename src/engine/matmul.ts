// The one place the engine multiplies matrices: `y = x·Wᵀ + b` for a batch of rows. Everything
// else (GPT-2 blocks, SAE encode, unembedding) goes through `linear`, so the backend can change
// here alone. Backends (measured with scripts/bench-matmul.ts, figures in the engine notes):
// - 'ort' (default): onnxruntime-node's CPU Gemm; 4–45× the plain-JS kernel on gpt2-small shapes
//   (most on batched prompts and SAE encodes), ahead of tfjs-wasm except on one-row products.
// - 'js': plain JS over the transposed weight (`[out, in]`, each output a dot product of two
//   contiguous rows), four input rows per pass; the fallback where ORT's binary is missing, and
//   the independent check of the ORT path in the tests.
// A weight keeps the layout its file has (ORT's Gemm takes either); the JS kernel makes its
// `[out, in]` copy on first use only. Once ORT holds a weight (its session copies it in), the
// JavaScript arrays are dropped unless the Linear is marked `keep`, so the weight is in memory
// once; such a weight goes on through ORT even if the backend is switched to 'js' afterwards.
import { loadOrt, ortLinear, type OrtLinear } from './ort.js';

export interface Linear {
  inDim: number;
  outDim: number;
  /** Row-major, `[inDim, outDim]` (layout 'in-out') or `[outDim, inDim]` ('out-in'). */
  w: Float32Array;
  layout: 'in-out' | 'out-in';
  bias?: Float32Array;
  /** The ORT session of this weight, made on first use. */
  ort?: OrtLinear;
  /** `[outDim, inDim]` for the JS kernel, made on first use. */
  wt?: Float32Array;
  /** Keep `w` and `bias` after ORT has its copy (their arrays are read elsewhere too). */
  keep?: boolean;
}

const RELEASED = new Float32Array(0);

export type MatmulBackend = 'ort' | 'js';

let backend: MatmulBackend = loadOrt() ? 'ort' : 'js';
let threads = 1;

/** Chooses the backend (and ORT's threads per product) for weights used from now on. */
export function configureMatmul(opts: { backend?: MatmulBackend; threads?: number }): MatmulBackend {
  if (opts.backend === 'ort' && !loadOrt()) throw new Error('matmul: onnxruntime-node is not installed');
  backend = opts.backend ?? backend;
  threads = opts.threads ?? threads;
  return backend;
}

export function matmulBackend(): MatmulBackend {
  return backend;
}

/** From Hugging Face's Conv1D layout `[in, out]` (GPT-2's c_attn, c_proj, c_fc; SAE `W_enc`). */
export function linearFromInOut(w: Float32Array, inDim: number, outDim: number, bias?: Float32Array): Linear {
  check(w.length === inDim * outDim, `weight of ${w.length} values is not ${inDim}×${outDim}`);
  return { inDim, outDim, w, layout: 'in-out', bias };
}

/** From a weight `[out, in]` (the unembedding `wte`). */
export function linearFromOutIn(w: Float32Array, inDim: number, outDim: number, bias?: Float32Array): Linear {
  check(w.length === inDim * outDim, `weight of ${w.length} values is not ${outDim}×${inDim}`);
  return { inDim, outDim, w, layout: 'out-in', wt: w, bias };
}

function transposed(lin: Linear): Float32Array {
  if (lin.wt) return lin.wt;
  const { inDim, outDim, w } = lin;
  const wt = new Float32Array(inDim * outDim);
  for (let i = 0; i < inDim; i++) {
    const row = i * outDim;
    for (let o = 0; o < outDim; o++) wt[o * inDim + i] = w[row + o]!;
  }
  return (lin.wt = wt);
}

/**
 * Hands the weight to ORT now (when it is the backend) rather than on first use, so its
 * JavaScript arrays (and the file they were read from) can go as soon as the model is loaded.
 */
export function prepareLinear(lin: Linear): Linear {
  if (backend === 'ort' && !lin.ort) linear(lin, new Float32Array(lin.inDim), 1);
  return lin;
}

/** `x` is `[rows, inDim]` row-major; returns `[rows, outDim]`. */
export function linear(lin: Linear, x: Float32Array, rows: number): Float32Array {
  check(x.length >= lin.inDim * rows, `input of ${x.length} values is shorter than ${rows}×${lin.inDim}`);
  if (rows === 0) return new Float32Array(0);
  if (backend === 'ort' && !lin.ort) {
    lin.ort = ortLinear(loadOrt()!, lin, threads);
    if (!lin.keep) {
      lin.w = RELEASED;
      lin.wt = undefined;
      lin.bias = undefined;
    }
  }
  if (lin.ort) return lin.ort.run(x, rows);
  return linearJs(lin, x, rows);
}

export function linearJs(lin: Linear, x: Float32Array, rows: number): Float32Array {
  const { inDim: n, outDim: m, bias } = lin;
  const wt = transposed(lin);
  const y = new Float32Array(rows * m);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = r * n;
    const x1 = x0 + n;
    const x2 = x1 + n;
    const x3 = x2 + n;
    for (let o = 0; o < m; o++) {
      const w0 = o * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < n; k++) {
        const wk = wt[w0 + k]!;
        s0 += x[x0 + k]! * wk;
        s1 += x[x1 + k]! * wk;
        s2 += x[x2 + k]! * wk;
        s3 += x[x3 + k]! * wk;
      }
      const b = bias ? bias[o]! : 0;
      y[r * m + o] = s0 + b;
      y[(r + 1) * m + o] = s1 + b;
      y[(r + 2) * m + o] = s2 + b;
      y[(r + 3) * m + o] = s3 + b;
    }
  }
  for (; r < rows; r++) {
    const x0 = r * n;
    for (let o = 0; o < m; o++) {
      const w0 = o * n;
      // Four partial sums break the add dependency chain (about 1.7× on one row here).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 4 <= n; k += 4) {
        s0 += x[x0 + k]! * wt[w0 + k]!;
        s1 += x[x0 + k + 1]! * wt[w0 + k + 1]!;
        s2 += x[x0 + k + 2]! * wt[w0 + k + 2]!;
        s3 += x[x0 + k + 3]! * wt[w0 + k + 3]!;
      }
      for (; k < n; k++) s0 += x[x0 + k]! * wt[w0 + k]!;
      y[r * m + o] = s0 + s1 + s2 + s3 + (bias ? bias[o]! : 0);
    }
  }
  return y;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`matmul: ${message}`);
}
