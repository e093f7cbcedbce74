// The two matmul backends agree: onnxruntime's Gemm (called through its native binding, past the
// public API) and the plain-JS kernel, on the row counts each takes a different path for.
import { afterAll, describe, expect, it } from 'vitest';
import { configureMatmul, linear, linearFromInOut, linearFromOutIn, linearJs, matmulBackend } from '../../src/engine/matmul.js';

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5);
}

describe('matmul backends', () => {
  afterAll(() => configureMatmul({ backend: 'ort' }));

  it('ORT is the default backend where its binary is installed', () => {
    expect(matmulBackend()).toBe('ort');
  });

  it.each([1, 3, 4, 9])('ORT and JS agree with the definition for %i rows', (rows) => {
    const [n, m] = [37, 70];
    const w = random(n * m, 1);
    const b = random(m, 2);
    const x = random(rows * n + 5, 3); // longer than rows×n: only the first rows×n are read
    const want = new Float32Array(rows * m);
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < m; o++) {
        let s = b[o]!;
        for (let k = 0; k < n; k++) s += x[r * n + k]! * w[k * m + o]!;
        want[r * m + o] = s;
      }
    const lin = linearFromInOut(w, n, m, b);
    const js = linearJs(lin, x, rows);
    configureMatmul({ backend: 'ort' });
    const ort = linear(lin, x, rows);
    // ORT holds the weight now: the JavaScript copy is gone, and a switch to the JS backend goes on
    // computing this weight through ORT.
    expect(lin.w.length).toBe(0);
    configureMatmul({ backend: 'js' });
    expect(linear(lin, x, rows)).toEqual(ort);
    configureMatmul({ backend: 'ort' });
    for (const got of [ort, js]) {
      expect(got.length).toBe(rows * m);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    }
    // the [out, in] layout (the unembedding's) gives the same products on both backends
    const wt = Float32Array.from({ length: n * m }, (_, i) => w[(i % n) * m + Math.floor(i / n)]!);
    for (const backend of ['ort', 'js'] as const) {
      configureMatmul({ backend });
      const got = linear(linearFromOutIn(wt, n, m, b), x, rows);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    }
  });

  it('refuses an input shorter than the rows asked for', () => {
    const lin = linearFromInOut(random(6, 4), 2, 3);
    expect(() => linear(lin, new Float32Array(3), 2)).toThrow(/shorter than 2×2/);
    expect(linear(lin, new Float32Array(0), 0)).toHaveLength(0);
  });
});
