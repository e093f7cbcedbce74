// Matmul backends on gpt2-small's shapes: `npx tsx scripts/bench-matmul.ts`.
// Measures the engine's two backends (src/engine/matmul.ts: onnxruntime-node with 1 and 2
// threads, plain JS) and the naive Conv1D-order loop; tfjs-wasm too when ENGINE_BENCH_MODULES
// names a node_modules folder that has it (it is not a dependency of the project), e.g.
//   (cd /tmp/b && npm i @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm)
//   ENGINE_BENCH_MODULES=/tmp/b/node_modules npx tsx scripts/bench-matmul.ts
import { createRequire } from 'node:module';
import { configureMatmul, linear, linearFromInOut, linearJs } from '../src/engine/matmul.js';

const SHAPES: [number, number, number, string][] = [
  [1, 768, 3072, 'decode MLP c_fc'],
  [1, 768, 50257, 'decode unembed'],
  [32, 768, 2304, '32-token c_attn'],
  [32, 768, 24576, '32-token SAE encode'],
];

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 600 || n < 3) {
    await fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

function naive(x: Float32Array, w: Float32Array, rows: number, n: number, m: number): Float32Array {
  const y = new Float32Array(rows * m);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) {
      const xk = x[r * n + k]!;
      const wo = k * m;
      const yo = r * m;
      for (let o = 0; o < m; o++) y[yo + o]! += xk * w[wo + o]!;
    }
  }
  return y;
}

/** The part of @tensorflow/tfjs-core this uses (not a dependency, so no types). */
interface TfTensor {
  dataSync(): Float32Array;
  dispose(): void;
}
interface Tfjs {
  setBackend(name: string): Promise<boolean>;
  tensor2d(data: Float32Array, shape: [number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
}

const modules = process.env.ENGINE_BENCH_MODULES;
const req = modules ? createRequire(`${modules}/`) : undefined;
const gflops = (rows: number, n: number, m: number, ms: number): string => ((2 * rows * n * m) / ms / 1e6).toFixed(1);

for (const [rows, n, m, label] of SHAPES) {
  const w = rand(n * m);
  const x = rand(rows * n);
  const line: string[] = [`${label} ${rows}×${n}·${n}×${m}:`];
  const js = linearFromInOut(w, n, m);
  let ms = await time(() => linearJs(js, x, rows));
  line.push(`engine JS ${ms.toFixed(2)} ms (${gflops(rows, n, m, ms)} GFLOP/s)`);
  for (const threads of [1, 2]) {
    configureMatmul({ backend: 'ort', threads });
    const lin = linearFromInOut(w, n, m);
    ms = await time(() => linear(lin, x, rows));
    line.push(`ORT ${threads}t ${ms.toFixed(2)} ms (${gflops(rows, n, m, ms)})`);
  }
  ms = await time(() => naive(x, w, rows, n, m));
  line.push(`naive JS ${ms.toFixed(2)} ms (${gflops(rows, n, m, ms)})`);
  if (req) {
    const tf = req('@tensorflow/tfjs-core') as Tfjs;
    req('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    const W = tf.tensor2d(w, [n, m]);
    const X = tf.tensor2d(x, [rows, n]);
    ms = await time(() => {
      const y = tf.matMul(X, W);
      y.dataSync();
      y.dispose();
    });
    line.push(`tfjs-wasm ${ms.toFixed(2)} ms (${gflops(rows, n, m, ms)})`);
  }
  console.log(line.join(' | '));
}
