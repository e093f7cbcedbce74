// The database goes away and comes back: requests meanwhile answer 503 DATABASE_UNAVAILABLE (not a
// 500), the server recovers by itself, and expected 503s are logged as warnings in one line, not as
// errors with a stack. The app reaches the database through a TCP proxy the test can cut: Postgres
// when TEST_DATABASE_URL is set, otherwise an in-memory PGlite served over the wire protocol.
import net from 'node:net';
import { Writable } from 'node:stream';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import app from '../src/app.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { serverOptions } from '../src/options.js';
import { openTestDatabase, testConfig } from './helper.js';
import { seedSource } from './fixtures/seed.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** A TCP proxy to `target` whose connections can all be cut, refusing new ones until restored. */
function cuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () =>
      new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Where a migrated and seeded test database listens: a Postgres URL, or the PGlite one served on a local port. */
async function databaseServer(): Promise<URL> {
  const test = await openTestDatabase();
  cleanups.push(() => test.drop());
  await seedSource(test.database.db, { features: 1 });
  if (test.url) return new URL(test.url);
  const server = new PGLiteSocketServer({ db: test.database.pglite!, port: 0, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  cleanups.push(() => server.stop());
  return new URL(`postgres://postgres@${server.getServerConn()}/postgres`);
}

let proxy: ReturnType<typeof cuttableProxy>;
let database: Database;
const logs: Array<{ level: number; msg: string; err?: { stack?: string } }> = [];
let fastify: ReturnType<typeof Fastify>;

beforeAll(async () => {
  const direct = await databaseServer();
  proxy = cuttableProxy({ host: direct.hostname, port: Number(direct.port) });
  const viaProxy = new URL(direct);
  viaProxy.port = String(await proxy.listen());
  cleanups.push(() => proxy.close());
  database = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: '', poolSize: 2 });
  cleanups.push(() => database.close());
  const config = testConfig({ FEATURE_CACHE_SIZE: '0', LOG_LEVEL: 'warn' });
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  fastify = Fastify({ ...serverOptions(config), logger: { level: 'warn', stream } });
  await fastify.register(app, { config, database });
  await fastify.ready();
  cleanups.push(() => fastify.close());
});

const read = () => fastify.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/0' });

it('answers 503 DATABASE_UNAVAILABLE while the database is away, and recovers by itself', async () => {
  expect((await read()).statusCode).toBe(200);
  proxy.cut();
  for (let i = 0; i < 3; i++) {
    const res = await read();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE', error: 'The database is unavailable. Please try again shortly.' });
  }
  proxy.restore();
  let status = 0;
  for (let attempt = 0; attempt < 20 && status !== 200; attempt++) status = (await read()).statusCode;
  expect(status).toBe(200);
  // Logged as what it is: a warning naming the code, without a stack.
  const outage = logs.filter((l) => l.msg === 'request could not be served');
  expect(outage.length).toBeGreaterThanOrEqual(3);
  expect(outage.every((l) => l.level === 40 && l.err === undefined)).toBe(true);
  expect(logs.filter((l) => l.level >= 50)).toEqual([]);
}, 60_000);

it('logs an expected 503 (a service that is not configured) as a warning, not an error with a stack', async () => {
  logs.length = 0;
  const res = await fastify.inject({
    method: 'POST',
    url: '/api/search-all',
    payload: { modelId: 'gpt2-small', sourceSet: 'res-jb', text: 'hello' },
  });
  expect(res.statusCode).toBe(503);
  expect(res.json().code).toBe('SERVICE_NOT_CONFIGURED');
  expect(logs).toEqual([expect.objectContaining({ level: 40, msg: 'request could not be served', code: 'SERVICE_NOT_CONFIGURED' })]);
  expect(JSON.stringify(logs)).not.toMatch(/\bat .+\.(ts|js):\d+/);
});
