// Chooses the database the suite runs on:
// - TEST_DATABASE_URL set: that Postgres server (each test file gets its own fresh database);
// - TEST_POSTGRES=container: starts the official pgvector image with testcontainers (needs a
//   Docker engine, e.g. on a laptop) and uses it as above;
// - otherwise: an in-memory PGlite per test file, each loaded from one migrated dump made here
//   (PGlite's initdb and the migrations once per run, not once per file).
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';

let container: StartedTestContainer | undefined;
let snapshotFile: string | undefined;

async function writeMigratedSnapshot(): Promise<string> {
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await runMigrations(database);
    const dump = await database.pglite!.dumpDataDir('none');
    const file = path.join(os.tmpdir(), `np-test-migrated-${process.pid}.tar`);
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    return file;
  } finally {
    await database.close();
  }
}

export async function setup(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL && process.env.TEST_POSTGRES === 'container') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer('pgvector/pgvector:pg17').start();
    container = started;
    // Workers are forked after global setup and inherit this.
    process.env.TEST_DATABASE_URL = started.getConnectionUri();
  }
  if (!process.env.TEST_DATABASE_URL) {
    snapshotFile = await writeMigratedSnapshot();
    process.env.TEST_PGLITE_SNAPSHOT = snapshotFile;
  }
}

export async function teardown(): Promise<void> {
  await container?.stop();
  if (snapshotFile) await rm(snapshotFile, { force: true });
}
