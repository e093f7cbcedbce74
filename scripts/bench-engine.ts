// Engine benchmark on gpt2-small's shapes (random weights: speed does not depend on the values):
//   npx tsx scripts/bench-engine.ts [--threads 1] [--saes 13] [--concurrent 8] [--no-torch]
// 1. decode tokens/s with the KV cache, against the weight-streaming floor measured in the same
//    run: a read-only pass over every weight the engine reads per token, each value summed once
//    (ones · W through the engine's native matmul); a plain-JS sum and a memcpy of the same weights
//    are printed beside it for reference;
// 2. search-all of a 32-token text over N SAEs of 24,576 features (the res-jb hooks), through the
//    engine's /v1/activation/all code path, against PyTorch on the same CPU doing the same forward
//    and encodes (scripts/bench_engine_torch.py, Debian's python3-torch);
// 3. N concurrent search-all requests (different 32-token texts) sent together, which the engine's
//    queue answers from shared packed passes, against the same N sent one at a time; then N
//    concurrent steered generations, generated together, against one at a time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inProcessEngine } from '../src/engine/worker/host.js';
import { configureMatmul, linear, type Linear } from '../src/engine/matmul.js';
import { median } from './bench-stats.js';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    saes: { type: 'string', default: '13' },
    concurrent: { type: 'string', default: '8' },
    'no-torch': { type: 'boolean' },
  },
});
const threads = Number(args.threads);
const nSaes = Number(args.saes);
const [D, L, V, CTX, DSAE] = [768, 12, 50257, 1024, 24576];

let seed = 1;
function random(n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    a[i] = (seed / 2 ** 32 - 0.5) * scale;
  }
  return a;
}

function writeSafetensors(path: string, tensors: [string, number[], Float32Array][]): void {
  const header: Record<string, object> = {};
  let off = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [off, off + data.byteLength] };
    off += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(
    path,
    Buffer.concat([len, Buffer.from(json), ...tensors.map(([, , d]) => Buffer.from(d.buffer, d.byteOffset, d.byteLength))]),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
try {
  const modelDir = join(dir, 'gpt2-bench');
  mkdirSync(join(modelDir, 'saes'), { recursive: true });
  const t: [string, number[], Float32Array][] = [
    ['wte.weight', [V, D], random(V * D, 0.2)],
    ['wpe.weight', [CTX, D], random(CTX * D, 0.02)],
  ];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    t.push(
      [p + 'ln_1.weight', [D], new Float32Array(D).fill(1)],
      [p + 'ln_1.bias', [D], new Float32Array(D)],
      [p + 'attn.c_attn.weight', [D, 3 * D], random(D * 3 * D, 0.05)],
      [p + 'attn.c_attn.bias', [3 * D], new Float32Array(3 * D)],
      [p + 'attn.c_proj.weight', [D, D], random(D * D, 0.05)],
      [p + 'attn.c_proj.bias', [D], new Float32Array(D)],
      [p + 'ln_2.weight', [D], new Float32Array(D).fill(1)],
      [p + 'ln_2.bias', [D], new Float32Array(D)],
      [p + 'mlp.c_fc.weight', [D, 4 * D], random(D * 4 * D, 0.05)],
      [p + 'mlp.c_fc.bias', [4 * D], new Float32Array(4 * D)],
      [p + 'mlp.c_proj.weight', [4 * D, D], random(4 * D * D, 0.05)],
      [p + 'mlp.c_proj.bias', [D], new Float32Array(D)],
    );
  }
  t.push(['ln_f.weight', [D], new Float32Array(D).fill(1)], ['ln_f.bias', [D], new Float32Array(D)]);
  writeSafetensors(join(modelDir, 'model.safetensors'), t);
  writeFileSync(
    join(modelDir, 'config.json'),
    JSON.stringify({ n_layer: L, n_head: 12, n_embd: D, n_positions: CTX, vocab_size: V, activation_function: 'gelu_new' }),
  );
  // One SAE file, read into a separate SAE per hook (each holds its own weights, as 13 real ones do).
  const saeFile = join(dir, 'sae_weights.safetensors');
  writeSafetensors(saeFile, [
    ['W_enc', [D, DSAE], random(D * DSAE, 0.05)],
    ['W_dec', [DSAE, D], random(DSAE * D, 0.05)],
    ['b_enc', [DSAE], random(DSAE, 0.1)],
    ['b_dec', [D], new Float32Array(D)],
  ]);
  const hooks = [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), `blocks.${L - 1}.hook_resid_post`].slice(0, nSaes);
  for (const [i, hook] of hooks.entries()) {
    const s = join(modelDir, 'saes', `${i}-bench`);
    mkdirSync(s);
    symlinkSync(saeFile, join(s, 'sae_weights.safetensors'));
    writeFileSync(join(s, 'cfg.json'), JSON.stringify({ d_in: D, d_sae: DSAE, hook_point: hook, dtype: 'float32' }));
  }
  t.length = 0;

  configureMatmul({ threads });
  const engine = inProcessEngine({ modelsDir: dir, limits: { tokenLimit: 1024, maxTokens: 1024 } });
  const loaded = await engine.registry.model('gpt2-bench');
  const model = loaded.model;

  // Floor: read every weight a decode step reads once (the engine's own arrays), read-only: a sum.
  const internals = model as unknown as {
    blocks: { attn: Linear; proj: Linear; fc: Linear; out: Linear }[];
    unembed: Linear;
  };
  const linears = [...internals.blocks.flatMap((b) => [b.attn, b.proj, b.fc, b.out]), internals.unembed];
  // ORT holds the weights (the engine keeps no JavaScript copy), so bytes come from the shapes.
  const sizes = linears.map((l) => l.inDim * l.outDim);
  const bytes = sizes.reduce((s, n) => s + 4 * n, 0);
  const rssModelGb = process.memoryUsage().rss / 1e9;
  // The floor: ones · W for every weight, through the same native kernels decode uses: each weight
  // summed (by column) in one read-only pass, vectorized, nothing written but the sums.
  const ones = linears.map((l) => new Float32Array(l.inDim).fill(1));
  const floors: number[] = [];
  let checksum = 0;
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    linears.forEach((l, i) => (checksum += linear(l, ones[i]!, 1)[0]!));
    floors.push(performance.now() - t0);
  }
  const floorMs = median(floors);
  const prompt = Array.from({ length: 16 }, (_, i) => 100 + i);
  const cache = model.newCache();
  model.forward(prompt, { cache, logits: 'last' }); // prefill (and warm the ORT sessions)
  const steps: number[] = [];
  for (let i = 0; i < 48; i++) {
    const t0 = performance.now();
    model.forward([200 + i], { cache, logits: 'last' });
    steps.push(performance.now() - t0);
  }
  const stepMs = median(steps.slice(8));
  console.log(
    `decode: ${stepMs.toFixed(1)} ms/token median (${(1000 / stepMs).toFixed(1)} tok/s, ctx 24-64); weight-streaming floor ${floorMs.toFixed(1)} ms ` +
      `(${(bytes / 1e6).toFixed(0)} MB read once, summed natively, at ${(bytes / floorMs / 1e6).toFixed(1)} GB/s); ` +
      `ratio floor/step = ${(floorMs / stepMs).toFixed(2)} (goal >= 0.5) [checksum ${checksum.toExponential(2)}]`,
  );

  const words = [' the', ' cat', ' sat', ' on', ' a', ' mat', ' and'];
  const text = Array.from({ length: 31 }, (_, i) => words[i % 7]).join('');
  const body = {
    model: 'gpt2-bench',
    sourceSet: 'bench',
    selectedSources: [],
    sortByTokenIndexes: [],
    ignoreBos: true,
    numResults: 25,
    prompt: text,
  };
  const first = performance.now();
  await engine.call('all', body); // loads the SAEs
  const loadMs = performance.now() - first;
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const res = (await engine.call('all', body)) as { tokens: string[] };
    runs.push(performance.now() - t0);
    if (res.tokens.length !== 32) throw new Error(`expected 32 tokens, got ${res.tokens.length}`);
  }
  console.log(
    `search-all 32 tokens × ${hooks.length} SAEs of ${DSAE}: ${median(runs).toFixed(0)} ms median of 3 (first call with SAE loading ${loadMs.toFixed(0)} ms)`,
  );

  // Concurrent users: N different texts, one at a time (each its own pass) against all at once.
  const n = Number(args.concurrent);
  const bodies = Array.from({ length: n }, (_, u) => ({
    ...body,
    prompt: Array.from({ length: 31 }, (_, i) => words[(i * 3 + u) % 7]).join(''),
  }));
  const t1 = performance.now();
  const sequential: unknown[] = [];
  for (const b of bodies) sequential.push(await engine.call('all', b));
  const sequentialMs = performance.now() - t1;
  const before = engine.registry.status().batches.count;
  const t2 = performance.now();
  const together = await Promise.all(bodies.map((b) => engine.call('all', b)));
  const batchedMs = performance.now() - t2;
  const batches = engine.registry.status().batches.count - before;
  if (
    JSON.stringify(together.map((r) => (r as { tokens: unknown }).tokens)) !==
    JSON.stringify(sequential.map((r) => (r as { tokens: unknown }).tokens))
  ) {
    throw new Error('batched answers differ from sequential ones');
  }
  console.log(
    `search-all, ${n} concurrent requests (32 tokens × ${hooks.length} SAEs each): batched ${batchedMs.toFixed(0)} ms ` +
      `(${batches} batch${batches === 1 ? '' : 'es'}, ${(batchedMs / n).toFixed(0)} ms/request); one at a time ${sequentialMs.toFixed(0)} ms ` +
      `(${(sequentialMs / n).toFixed(0)} ms/request); speed-up ${(sequentialMs / batchedMs).toFixed(2)}×`,
  );

  // Concurrent steering: N greedy generations of 32 tokens, one at a time against all at once.
  const steer = (u: number) => ({
    model: 'gpt2-bench',
    prompt: bodies[u]!.prompt.slice(0, 40),
    vectors: [{ hook: 'blocks.6.hook_resid_pre', steeringVector: Array.from({ length: D }, (_, i) => ((i + u) % 7) - 3), strength: 2 }],
    types: ['STEERED'],
    ...{ nCompletionTokens: 32, temperature: 0, strengthMultiplier: 1, freqPenalty: 0, seed: 1, steerMethod: 'SIMPLE_ADDITIVE' },
    normalizeSteering: true,
  });
  const t3 = performance.now();
  for (let u = 0; u < n; u++) await engine.call('steer', steer(u));
  const steerAloneMs = performance.now() - t3;
  const t4 = performance.now();
  await Promise.all(bodies.map((_, u) => engine.call('steer', steer(u))));
  const steerBatchedMs = performance.now() - t4;
  console.log(
    `steer, ${n} concurrent greedy generations of 32 tokens: batched ${steerBatchedMs.toFixed(0)} ms ` +
      `(${((n * 32 * 1000) / steerBatchedMs).toFixed(1)} tok/s in all); one at a time ${steerAloneMs.toFixed(0)} ms ` +
      `(${((n * 32 * 1000) / steerAloneMs).toFixed(1)} tok/s); speed-up ${(steerAloneMs / steerBatchedMs).toFixed(2)}×`,
  );

  if (!args['no-torch']) {
    const py = execFileSync(
      '/usr/bin/python3',
      [join(import.meta.dirname, 'bench_engine_torch.py'), String(threads), String(hooks.length)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    console.log(py.trim());
  }
  const rssGb = process.memoryUsage().rss / 1e9;
  console.log(
    `matmul: ORT, ${threads} thread(s) per product; RSS ${rssModelGb.toFixed(2)} GB with the model loaded, ` +
      `${rssGb.toFixed(2)} GB with it and ${hooks.length} SAEs (weights ${(bytes / 1e9).toFixed(2)} GB + ${((hooks.length * 2 * D * DSAE * 4) / 1e9).toFixed(2)} GB)`,
  );
  // Reference figures for the floor, measured last (on arrays of the weights' sizes, allocated
  // only now so that they are not in the RSS above): a plain-JS read-only sum (scalar adds:
  // compute-bound here, not a memory figure) and a memcpy of the same bytes.
  const weights = sizes.map((n) => new Float32Array(n).fill(1));
  const jsSums: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (const w of weights) checksum += sumOnce(w);
    jsSums.push(performance.now() - t0);
  }
  const scratch = new Float32Array(Math.max(...sizes));
  const copies: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    for (const w of weights) scratch.set(w);
    copies.push(performance.now() - t0);
  }
  console.log(
    `decode floor references: plain JS sum ${median(jsSums).toFixed(1)} ms; memcpy ${median(copies).toFixed(1)} ms [${checksum.toExponential(2)}]`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Sum of every value, read once: 8 accumulators so the adds do not wait on each other. */
function sumOnce(w: Float32Array): number {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    a4 = 0,
    a5 = 0,
    a6 = 0,
    a7 = 0;
  const n = w.length - (w.length % 8);
  for (let i = 0; i < n; i += 8) {
    a0 += w[i]!;
    a1 += w[i + 1]!;
    a2 += w[i + 2]!;
    a3 += w[i + 3]!;
    a4 += w[i + 4]!;
    a5 += w[i + 5]!;
    a6 += w[i + 6]!;
    a7 += w[i + 7]!;
  }
  for (let i = n; i < w.length; i++) a0 += w[i]!;
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
