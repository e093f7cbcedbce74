// npm run bench:feature: how fast the mirror serves GET /api/feature/... on the embedded database.
// Prints, in one run on this machine:
//  - cold start of `npm start` on an empty data folder (until /health answers);
//  - p50 latency of one feature read (60 activations x 64 tokens), one request at a time;
//  - throughput and latency at 50 connections, with the feature cache on and off, and with gzip;
//  - the ceiling: a bare Fastify answering the same JSON bytes from memory, measured the same way;
//  - the cached mirror against that ceiling again, both up at once and loaded in alternation.
// Options (environment): BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 50).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDatabase } from '../src/db/client.js';
import { LOCK_FILE_NAME } from '../src/db/data-dir-lock.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedSource } from '../test/fixtures/seed.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BENCH_MODEL = 'bench-model'; // not the demo data's gpt2-small, which the cold start loads
const FEATURE_PATH = `/api/feature/${BENCH_MODEL}/6-res-jb/1`;
const root = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function start(command: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(command, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
}

async function stop(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM'); // the whole group: npm and the node it started
    await exited;
  }
  // npm may exit before the server has closed its database and released the folder.
  const lock = path.join(dataDir, LOCK_FILE_NAME);
  for (let i = 0; i < 200 && fs.existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
}

async function sequentialP50(url: string, encoding: string, count = 300): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { 'accept-encoding': encoding } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function load(url: string, encoding: string, seconds = SECONDS) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { 'accept-encoding': encoding } });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    bytes: result.throughput.average,
  };
}

const ROUNDS = 4;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The mirror (feature cache on) and the bare server up together, loaded in alternation. */
async function interleaved(dataDir: string, bodyFile: string) {
  const [mirrorPort, barePort] = [await freePort(), await freePort()];
  const mirror = start('npm', ['start'], { DATA_DIR: dataDir, PORT: String(mirrorPort), FEATURE_CACHE_SIZE: '2000' });
  const bare = start('npx', ['tsx', 'scripts/bench-bare-server.ts'], { BODY_FILE: bodyFile, PORT: String(barePort) });
  try {
    const urls = { mirror: `http://127.0.0.1:${mirrorPort}${FEATURE_PATH}`, bare: `http://127.0.0.1:${barePort}${FEATURE_PATH}` };
    await waitFor(urls.mirror, mirror);
    await waitFor(urls.bare, bare);
    const rounds = { mirror: [] as Array<Awaited<ReturnType<typeof load>>>, bare: [] as Array<Awaited<ReturnType<typeof load>>> };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.mirror.push(await load(urls.mirror, 'identity', SECONDS / ROUNDS));
      rounds.bare.push(await load(urls.bare, 'identity', SECONDS / ROUNDS));
    }
    const summary = (rs: Array<Awaited<ReturnType<typeof load>>>) => ({
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
    });
    return { mirror: summary(rounds.mirror), bare: summary(rounds.bare) };
  } finally {
    await stop(mirror, dataDir);
    await stop(bare, dataDir);
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-'));
  try {
    // 1. Cold start of `npm start` on an empty data folder.
    const port = await freePort();
    const t0 = performance.now();
    const cold = start('npm', ['start'], { DATA_DIR: dataDir, PORT: String(port) });
    await waitFor(`http://127.0.0.1:${port}/health`, cold);
    const coldStartMs = performance.now() - t0;
    await stop(cold, dataDir);

    // 2. A feature with 60 activations of 64 tokens (written while no server holds the folder).
    const database = await openDatabase({ dataDir });
    await runMigrations(database);
    await seedSource(database.db, { modelId: BENCH_MODEL, features: 3, activationsPerFeature: 60, tokensPerActivation: 64 });
    await database.close();

    const results: Array<[string, Awaited<ReturnType<typeof load>>, number]> = [];
    let body = '';
    for (const [label, cacheSize, encoding] of [
      ['mirror, feature cache on', '2000', 'identity'],
      ['mirror, feature cache on, gzip (as the Python client asks)', '2000', 'gzip'],
      ['mirror, feature cache off', '0', 'identity'],
    ] as const) {
      const mirrorPort = await freePort();
      const server = start('npm', ['start'], { DATA_DIR: dataDir, PORT: String(mirrorPort), FEATURE_CACHE_SIZE: cacheSize });
      const url = `http://127.0.0.1:${mirrorPort}${FEATURE_PATH}`;
      await waitFor(`http://127.0.0.1:${mirrorPort}/health`, server);
      body = await (await fetch(url)).text();
      const p50 = await sequentialP50(url, encoding);
      results.push([label, await load(url, encoding), p50]);
      await stop(server, dataDir);
    }

    // 3. The ceiling: bare Fastify, same JSON from memory.
    const bodyFile = path.join(dataDir, 'feature.json');
    fs.writeFileSync(bodyFile, body);
    const barePort = await freePort();
    const bare = start('npx', ['tsx', 'scripts/bench-bare-server.ts'], { BODY_FILE: bodyFile, PORT: String(barePort) });
    const bareUrl = `http://127.0.0.1:${barePort}${FEATURE_PATH}`;
    await waitFor(bareUrl, bare);
    const bareP50 = await sequentialP50(bareUrl, 'identity');
    results.push(['bare Fastify, JSON from memory', await load(bareUrl, 'identity'), bareP50]);
    await stop(bare, dataDir);

    // 4. The goal's comparison, cache on against the ceiling, interleaved: both servers up at once,
    // alternating short loads, so a busy neighbour on the machine slows both alike.
    const pair = await interleaved(dataDir, bodyFile);
    const ceiling = results[results.length - 1]![1].rps;
    console.log(
      `\nFeature read benchmark: ${FEATURE_PATH} (${(body.length / 1024).toFixed(1)} KB, 60 activations x 64 tokens), ${os.cpus().length} cores, Node ${process.version}`,
    );
    console.log(`Cold start of npm start on an empty data folder, until /health answers: ${coldStartMs.toFixed(0)} ms\n`);
    console.log(`| server | sequential p50 | req/s @${CONNECTIONS} | p50 | p99 | errors | ratio to ceiling |`);
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [label, r, p50] of results) {
      console.log(
        `| ${label} | ${p50.toFixed(2)} ms | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${(r.rps / ceiling).toFixed(2)} |`,
      );
    }
    console.log(`\nInterleaved, ${ROUNDS} rounds of ${SECONDS / ROUNDS} s each at ${CONNECTIONS} connections (median of the rounds):\n`);
    console.log('| server | req/s | p50 | p99 | ratio to bare |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [label, r] of [
      ['mirror, feature cache on', pair.mirror],
      ['bare Fastify, same bytes from memory', pair.bare],
    ] as const) {
      console.log(`| ${label} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${(r.rps / pair.bare.rps).toFixed(2)} |`);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
