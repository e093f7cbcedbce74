// Builds the app exactly as production does (same options, same plugin) on a fresh database:
// an in-memory PGlite by default, or a new database on the Postgres server named by
// TEST_DATABASE_URL (CI runs the suite both ways).
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import pg from 'pg';
import app from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { serverOptions } from '../src/options.js';

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

let counter = 0;

let snapshot: Promise<Blob> | undefined;

/**
 * The migrated empty database that global setup dumped once for the whole run: loading it skips
 * PGlite's initdb and the migrations, most of what opening a test database cost.
 */
function migratedSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const file = process.env.TEST_PGLITE_SNAPSHOT;
    if (file) return new Blob([await readFile(file)]);
    const fresh = await openDatabase({ dataDir: 'memory://' });
    await runMigrations(fresh);
    const dump = await fresh.pglite!.dumpDataDir('none');
    await fresh.close();
    return dump;
  })();
  return snapshot;
}

/**
 * A fresh, migrated database, and a function that closes (and for Postgres, drops) it.
 * `migrateThrough`: only up to that migration's tag, as an older release left the database.
 */
export async function openTestDatabase(
  options: { migrateThrough?: string } = {},
): Promise<{ database: Database; drop(): Promise<void>; url?: string }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const through = options.migrateThrough;
  if (!serverUrl) {
    const database = await openDatabase({ dataDir: 'memory://', pgliteSnapshot: through ? undefined : await migratedSnapshot() });
    if (through) await runMigrations(database, { through });
    return { database, drop: () => database.close() };
  }
  const name = `npm_test_${process.pid}_${Date.now()}_${counter++}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolSize: 4 });
  await runMigrations(database, { through });
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Configuration as production reads it, from a test environment (no real env leaks in). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'http://mirror.test', ...env });
}

export async function buildTestApp(env: Record<string, string> = {}, hooks: AppHooks = {}): Promise<TestContext> {
  const { database, drop } = await openTestDatabase();
  return buildAppOn(database, drop, env, hooks);
}

export interface AppHooks {
  /** Called with each route the app registers (Fastify's onRoute hook, added before the app). */
  onRoute?: (route: RouteOptions) => void;
}

/** The app on a database the test opened itself; `close` closes the app, then calls `drop`. */
export async function buildAppOn(
  database: Database,
  drop: () => Promise<void>,
  env: Record<string, string> = {},
  hooks: AppHooks = {},
): Promise<TestContext> {
  const config = testConfig(env);
  const fastify = Fastify(serverOptions(config));
  if (hooks.onRoute) fastify.addHook('onRoute', hooks.onRoute);
  await fastify.register(app, { config, database });
  await fastify.ready();
  return {
    app: fastify,
    database,
    config,
    close: async () => {
      await fastify.close();
      await drop();
    },
  };
}
