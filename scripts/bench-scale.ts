// npm run bench:scale: what WEB_CONCURRENCY workers and read replicas buy, on a real Postgres.
// Prints, in one run: feature reads (uncached, so every request reaches a database) at
// BENCH_CONNECTIONS connections with 1 worker (the baseline), N workers, and 1 worker reading a
// replica; and the cost a write pays to tell the other workers (LISTEN/NOTIFY acknowledgements).
// Environment: BENCH_DATABASE_URL (a Postgres server, e.g. `scripts/dev-postgres url`),
// BENCH_REPLICA_URL (optional, `scripts/dev-postgres replica-url`), BENCH_SECONDS (default 5),
// BENCH_CONNECTIONS (default 20), BENCH_WORKERS (default: the number of cores).
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { seedSource } from '../test/fixtures/seed.js';
import { userWithKey } from '../test/fixtures/users.js';

const server = process.env.BENCH_DATABASE_URL;
if (!server) throw new Error('Set BENCH_DATABASE_URL to a Postgres server (scripts/dev-postgres url).');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const WORKERS = Number(process.env.BENCH_WORKERS ?? os.availableParallelism());
const FEATURE = '/api/feature/gpt2-small/6-res-jb/1';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const name = `bench_scale_${Date.now()}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const withDb = (url: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();
const url = withDb(server);
const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 });
await runMigrations(database);
await seedSource(database.db, { features: 3, activationsPerFeature: 60, tokensPerActivation: 64 });
const { key } = await userWithKey(database.db, 'bench');
await database.close();

async function withServer<T>(env: Record<string, string>, work: (base: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      FASTIFY_AUTOLOAD_TYPESCRIPT: '1',
      DATABASE_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      FEATURE_CACHE_SIZE: '0',
      RATE_LIMITS: 'api=off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let ready = 0; ready < 3;) {
      // Three answers in a row: every worker has had time to start.
      ready = (await fetch(`${base}${FEATURE}`)
        .then((r) => r.ok)
        .catch(() => false))
        ? ready + 1
        : 0;
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000));
    return await work(base);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function reads(label: string, env: Record<string, string>) {
  return withServer(env, async (base) => {
    const result = await autocannon({ url: `${base}${FEATURE}`, connections: CONNECTIONS, duration: SECONDS });
    const line = `${label.padEnd(34)} ${Math.round(result.requests.average).toString().padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}`;
    console.log(line);
    return result.requests.average;
  });
}

async function writes(label: string, env: Record<string, string>) {
  return withServer(env, async (base) => {
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const res = await fetch(`${base}/api/explanation/new`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ feature: { modelId: 'gpt2-small', layer: '6-res-jb', index: 2, explanation: `bench ${i}` } }),
      });
      if (!res.ok) throw new Error(`write failed: ${res.status}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(34)} p50 ${times[20]!.toFixed(1)} ms  p90 ${times[36]!.toFixed(1)} ms (one client, 40 writes)`);
  });
}

try {
  console.log(`feature read, uncached, ${CONNECTIONS} connections, ${SECONDS} s each; ${os.availableParallelism()} cores`);
  const one = await reads('1 worker (baseline)', { WEB_CONCURRENCY: '1' });
  const many = await reads(`${WORKERS} workers`, { WEB_CONCURRENCY: String(WORKERS) });
  console.log(`  ${WORKERS} workers / 1 worker: ${(many / one).toFixed(2)}x`);
  if (process.env.BENCH_REPLICA_URL) {
    await reads('1 worker, reads on the replica', { WEB_CONCURRENCY: '1', DATABASE_REPLICA_URLS: withDb(process.env.BENCH_REPLICA_URL) });
  }
  await writes('write, 1 worker (baseline)', { WEB_CONCURRENCY: '1' });
  await writes(`write, ${WORKERS} workers (acks)`, { WEB_CONCURRENCY: String(WORKERS) });
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
