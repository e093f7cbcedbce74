// Several server processes on one Postgres: a write through one is never served stale by another
// (caches cleared over LISTEN/NOTIFY before the writer's answer), WEB_CONCURRENCY workers share
// the port, and the embedded database says it stays one process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { explanation } from '../src/db/schema/index.js';
import { buildAppOn, openTestDatabase, type TestContext } from './helper.js';
import { BOT_ID, seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const FEATURE = '/api/feature/gpt2-small/6-res-jb/0';
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One request on a fresh connection, so the cluster hands each to the next worker. */
function request(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: unknown) {
  return new Promise<{ status: number; json: () => Record<string, unknown> }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, json: () => JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function startServer(env: Record<string, string>, port: number): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
  return { child, output: () => output };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const descriptions = (body: Record<string, unknown>) => (body.explanations as { description: string }[]).map((e) => e.description);

describe.skipIf(!onPostgres)('processes sharing one Postgres', () => {
  let url: string;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  let a: TestContext;
  let b: TestContext;

  beforeAll(async () => {
    const test = await openTestDatabase();
    cleanups.push(() => test.drop());
    url = test.url!;
    alice = await userWithKey(test.database.db, 'alice');
    await seedSource(test.database.db, { features: 1, activationsPerFeature: 1 });
    // Two app instances, each with its own pool, listener and hour-long feature cache.
    const env = { FEATURE_CACHE_TTL_MS: '3600000' };
    a = await buildAppOn(await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 }), async () => {}, env);
    b = await buildAppOn(await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 }), async () => {}, env);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
  });

  it('a write through one instance is read through the other at once, though the other had it cached', async () => {
    const read = async () => descriptions((await b.app.inject({ method: 'GET', url: FEATURE })).json());
    expect(await read()).toHaveLength(2);
    // Behind the app's back (no notification): B keeps serving its cached answer, so the cache is live.
    await a.database.primary
      .insert(explanation)
      .values({ id: 'silent', modelId: 'gpt2-small', layer: '6-res-jb', index: '0', description: 'silent write', authorId: BOT_ID });
    expect(await read()).not.toContain('silent write');
    const res = await a.app.inject({
      method: 'POST',
      url: '/api/explanation/new',
      headers: { 'x-api-key': alice.key },
      payload: { feature: { modelId: 'gpt2-small', layer: '6-res-jb', index: 0, explanation: 'through A' } },
    });
    expect(res.statusCode).toBe(200);
    expect(await read()).toEqual(expect.arrayContaining(['through A', 'silent write']));
  });

  it('a key revoked with the key command is refused at once by a server that had it cached', async () => {
    const carol = await userWithKey(a.database.primary, 'carol');
    const models = () => b.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': carol.key } });
    expect((await models()).statusCode).toBe(200); // now cached for 10 s
    const revoke = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/key.ts', 'revoke', carol.key], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(revoke.status, revoke.stderr).toBe(0);
    await waitFor('the notice', async () => (await models()).statusCode === 401, 3000);
  });

  it('WEB_CONCURRENCY=2 workers share the port, and a write through one is never stale in the other', async () => {
    const port = await freePort();
    const server = startServer({ DATABASE_URL: url, WEB_CONCURRENCY: '2', FEATURE_CACHE_TTL_MS: '3600000' }, port);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const listeners = async () =>
      (
        await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'neuronpedia-mirror-listen' AND datname = current_database()",
        )
      ).rows[0].n as number;
    const before = await listeners(); // the two test instances above
    await waitFor(
      'two workers listening',
      async () => (await listeners()) === before + 2 && (await request(port, 'GET', '/health')).status === 200,
    );
    expect(server.output()).toContain('WEB_CONCURRENCY=2');
    // Warm both workers' caches (connections alternate between them), then write through one.
    for (let i = 0; i < 4; i++) expect((await request(port, 'GET', FEATURE)).status).toBe(200);
    const res = await request(
      port,
      'POST',
      '/api/explanation/new',
      { 'x-api-key': alice.key },
      { feature: { modelId: 'gpt2-small', layer: '6-res-jb', index: 0, explanation: 'through a worker' } },
    );
    expect(res.status).toBe(200);
    for (let i = 0; i < 4; i++) expect(descriptions((await request(port, 'GET', FEATURE)).json())).toContain('through a worker');
  }, 120_000);
});

describe.skipIf(onPostgres)('the embedded database', () => {
  it('plans one process whatever WEB_CONCURRENCY says, and says so', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mirror-cluster-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const server = startServer({ DATA_DIR: dataDir, DEMO_DATA: 'false', WEB_CONCURRENCY: '4' }, port);
    // The plan is logged before the database opens: no need to wait for PGlite's first start.
    await waitFor('the start log', () => server.output().includes('"workers":1'));
    expect(server.output()).toContain('WEB_CONCURRENCY=4 ignored: the embedded database is single-process');
  }, 120_000);
});
