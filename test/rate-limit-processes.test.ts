// Two server processes on one database share one count: 200 concurrent requests against a limit of
// 100 let exactly 100 through. On Postgres when TEST_DATABASE_URL is set; otherwise on an in-memory
// PGlite served over the Postgres wire protocol (pglite-socket) to both processes.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { openTestDatabase } from './helper.js';

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

/** A database URL both servers can reach, migrated. */
async function sharedDatabaseUrl(): Promise<string> {
  const test = await openTestDatabase();
  if (test.url) {
    cleanups.push(() => test.drop());
    return test.url;
  }
  await test.drop();
  const db = await PGlite.create({ extensions: { vector } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 40 });
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await db.close();
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const migrator = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 1 });
  await runMigrations(migrator);
  await migrator.close();
  return url;
}

async function startServer(databaseUrl: string): Promise<string> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMITS: 'api=100',
      LOG_LEVEL: 'warn',
      WEB_CONCURRENCY: '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return base;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

it('lets exactly the limit through when two processes are hit at once', async () => {
  const url = await sharedDatabaseUrl();
  const [a, b] = await Promise.all([startServer(url), startServer(url)]);
  const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => fetch(`${i % 2 ? a : b}/api/models`).then((res) => res.status)));
  expect(statuses.filter((s) => s === 200)).toHaveLength(100);
  expect(statuses.filter((s) => s === 429)).toHaveLength(100);
}, 120_000);
