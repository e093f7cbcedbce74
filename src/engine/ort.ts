// onnxruntime-node as the engine's matmul: each weight becomes a one-node Gemm model
// (onnx-graph.ts) run on ONNX Runtime's CPU kernels (MLAS, AVX-512 here).
// The engine computes synchronously inside its worker, so this calls the native session's `run`
// directly: the package's public `InferenceSession.run` only wraps that same synchronous call in a
// promise (setImmediate) — see onnxruntime-node/dist/backend.js. That reaches past the public API,
// so the version is pinned exactly in package.json and test/engine/matmul.test.ts checks the
// result against the plain-JS kernel.
import { createRequire } from 'node:module';
import type { Linear } from './matmul.js';
import { gemmModel } from './onnx-graph.js';

interface NativeTensor {
  data: Float32Array;
  dims: readonly number[];
}

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, null>, options: object): Record<string, NativeTensor>;
}

interface Ort {
  newSession(): NativeSession;
  tensor(data: Float32Array, dims: number[]): unknown;
}

let loaded: Ort | null | undefined;

/** The native binding, or null when the package (or its binary for this platform) is missing. */
export function loadOrt(): Ort | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt(): void;
    };
    const { Tensor } = require('onnxruntime-common') as {
      Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
    };
    initOrt();
    loaded = {
      newSession: () => new binding.InferenceSession(),
      tensor: (data, dims) => new Tensor('float32', data, dims),
    };
  } catch {
    loaded = null;
  }
  return loaded;
}

export interface OrtLinear {
  run(x: Float32Array, rows: number): Float32Array;
}

export function ortLinear(ort: Ort, lin: Linear, threads: number): OrtLinear {
  const { inDim } = lin;
  const model = gemmModel(lin.w, inDim, lin.outDim, lin.layout === 'out-in', lin.bias);
  const session = ort.newSession();
  session.loadModel(model.buffer, model.byteOffset, model.byteLength, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // ORT's pool threads spin while waiting for work; on a machine whose cores are shared that
    // spinning starved the computation (2 threads: 2.5 s per decode step against 0.1 s with 1).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  return {
    run(x, rows) {
      const input = x.length === rows * inDim ? x : x.subarray(0, rows * inDim);
      const out = session.run({ x: ort.tensor(input, [rows, inDim]) }, { y: null }, {});
      return out.y!.data;
    },
  };
}
