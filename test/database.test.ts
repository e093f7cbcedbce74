// The embedded database: persisted in DATA_DIR, opened by one process at a time, migrated safely twice.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeNeverAnalyzed } from '../src/db/analyze.js';
import { openDatabase, queryRows } from '../src/db/client.js';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from '../src/db/data-dir-lock.js';
import { runMigrations } from '../src/db/migrate.js';
import { model } from '../src/db/schema/index.js';
import { openTestDatabase } from './helper.js';
import { seedSource } from './fixtures/seed.js';

const folders: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-db-test-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('data folder lock', () => {
  it('refuses a second opener and names the holder', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir, 'npm start');
    try {
      expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
      expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by process ${process.pid} \\(npm start`));
    } finally {
      release();
    }
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    acquireDataDirLock(dir)(); // free again
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    fs.writeFileSync(
      path.join(dir, LOCK_FILE_NAME),
      JSON.stringify({ pid: deadPid, command: 'killed', startedAt: new Date().toISOString() }),
    );
    const release = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE_NAME), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('keeps a second PGlite from opening a folder in use, and persists data across reopen', async () => {
    const dir = tempDir();
    const first = await openDatabase({ dataDir: dir });
    await runMigrations(first);
    await first.db.insert(model).values({ id: 'persisted', creatorId: 'x', layers: 1, neuronsPerLayer: 1, owner: 'me' });
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    try {
      await runMigrations(second);
      const rows = await second.db.select().from(model);
      expect(rows.map((r) => r.id)).toEqual(['persisted']);
    } finally {
      await second.close();
    }
  });
});

describe('migrations', () => {
  it('create the vector extension and every Neuronpedia table, and are safe to run twice', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await runMigrations(database);
      const extensions = await queryRows(database.db, sql`SELECT extname FROM pg_extension WHERE extname = 'vector'`);
      expect(extensions).toHaveLength(1);
      const tables = await queryRows<{ table_name: string }>(
        database.db,
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      const names = tables.map((r) => r.table_name);
      for (const table of [
        'Model',
        'SourceRelease',
        'SourceSet',
        'Source',
        'Neuron',
        'Activation',
        'Explanation',
        'ExplanationScore',
        'ExplanationType',
        'ExplanationModelType',
        'ExplanationScoreType',
        'ExplanationScoreModel',
        'User',
        'ApiKey',
      ]) {
        expect(names).toContain(table);
      }
      const [embedding] = await queryRows<{ type: string }>(
        database.db,
        sql`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = '"Explanation"'::regclass AND attname = 'embedding'`,
      );
      expect(embedding?.type).toBe('vector(256)');
    } finally {
      await drop();
    }
  });
});

describe('planner statistics', () => {
  it('are refreshed for bulk tables that hold rows but were never analyzed, once', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await seedSource(database.db, { features: 5, activationsPerFeature: 2 });
      const analyzed = async () =>
        (
          await queryRows<{ tablename: string }>(
            database.db,
            sql`SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public' AND tablename IN ('Neuron', 'Activation', 'Explanation', 'ExplanationScore')`,
          )
        )
          .map((r) => r.tablename)
          .sort();
      // Postgres' autovacuum may get there first on a server; the embedded database never does.
      if (database.kind === 'pglite') expect(await analyzed()).toEqual([]);
      const first = await analyzeNeverAnalyzed(database.db);
      expect(await analyzed()).toEqual(['Activation', 'Explanation', 'ExplanationScore', 'Neuron']);
      if (database.kind === 'pglite') expect(first.sort()).toEqual(['Activation', 'Explanation', 'ExplanationScore', 'Neuron']);
      expect(await analyzeNeverAnalyzed(database.db)).toEqual([]);
    } finally {
      await drop();
    }
  });
});
