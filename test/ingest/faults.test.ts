// The importer's fault matrix: an import killed (SIGKILL) at random points inside files and run
// again, a parent file that failed and was repaired, a file whose rows lacked their parents: each
// ends with exactly the tables of a clean import (compared by content digest). Bomb and flood files
// are in bad-files.test.ts. Runs on the embedded database, or on Postgres with TEST_DATABASE_URL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { importExport, type Reject } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { openTestDatabase } from '../helper.js';
import { IMPORTED_TABLES, tableDigest } from './digest.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-faults-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const exportDir = path.join(root, 'export');
const SOURCE = 'v1/gpt2-small/6-res-jb';
const FEATURES = 300;
const BATCH = 100;
let expected: Record<string, string>;

beforeAll(async () => {
  await writeSampleExport(exportDir, { featuresPerSource: FEATURES, activationsPerFeature: 3, tokensPerActivation: 8 });
  const reference = await openTestDatabase();
  try {
    await importExport(reference.database, { location: exportDir });
    expected = await tableDigest(reference.database);
    // Every table the importer writes has a primary key: re-reading a file (a resumed or retried
    // one) relies on ON CONFLICT DO NOTHING.
    const keyed = await queryRows<{ table: string }>(
      reference.database.db,
      sql`
      SELECT tc.table_name AS "table" FROM information_schema.table_constraints tc
      WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'`,
    );
    expect(IMPORTED_TABLES.filter((t) => !keyed.some((k) => k.table === t))).toEqual([]);
  } finally {
    await reference.drop();
  }
  expect(expected.Activation).toMatch(/^900 rows/);
});

/** Runs the import in a child that stops after `batches` batches of `file`; kills it with SIGKILL. */
async function killMidFile(where: string, file: string, batches: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/import-child.ts', exportDir, where], {
    env: { ...process.env, STOP_IN: file, STOP_AFTER: String(batches), BATCH_SIZE: String(BATCH) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const outcome = await new Promise<string>((resolve) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('MIDFILE')) resolve('midfile');
      if (output.includes('FINISHED')) resolve('finished');
    });
    child.on('exit', () => resolve('exited'));
    setTimeout(() => resolve('timed out'), 60_000);
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  expect(outcome).toBe('midfile');
}

/** A fresh target for a child process: a Postgres database, or an embedded data folder. */
async function freshTarget(name: string): Promise<{ where: string; open(): Promise<Database>; done(db: Database): Promise<void> }> {
  const target = await openTestDatabase();
  if (target.url) return { where: target.url, open: async () => target.database, done: () => target.drop() };
  await target.database.close();
  const where = path.join(root, `data-${name}`);
  return {
    where,
    open: async () => {
      const db = await openDatabase({ dataDir: where });
      await runMigrations(db);
      return db;
    },
    done: (db) => db.close(),
  };
}

// Random kill points (batch numbers) inside each kind of file, printed in the test names.
const pick = (max: number) => 1 + Math.floor(Math.random() * max);
const KILLS: [string, number][] = [
  [`${SOURCE}/features/batch-0.jsonl.gz`, pick(FEATURES / BATCH - 1)],
  [`${SOURCE}/activations/batch-0.jsonl.gz`, pick((3 * FEATURES) / BATCH - 1)],
  [`${SOURCE}/explanations/batch-0.jsonl.gz`, pick(FEATURES / BATCH - 1)],
];

describe('killed at random points', () => {
  it.each(KILLS)('killed in %s after batch %i, run again: the tables of a clean import', { timeout: 120_000 }, async (file, batches) => {
    const target = await freshTarget(path.basename(path.dirname(file)));
    await killMidFile(target.where, file, batches);
    const db = await target.open();
    try {
      const summary = await importExport(db, { location: exportDir });
      expect(summary.files.failed).toBe(0);
      expect(summary.files.skipped).toBeGreaterThan(0); // the files finished before the kill are not read again
      // The embedded database commits batch by batch: the killed file is resumed, not started afresh.
      expect(summary.files.resumed).toBe(db.pglite ? 1 : 0);
      expect(await tableDigest(db)).toEqual(expected);
    } finally {
      await target.done(db);
    }
  });
});

describe('bad parents', () => {
  it('a failed features file blocks its activations and explanations; repaired, the re-run gives a clean import', async () => {
    const copy = path.join(root, 'repaired');
    fs.cpSync(exportDir, copy, { recursive: true });
    const features = path.join(copy, SOURCE, 'features', 'batch-0.jsonl.gz');
    const good = fs.readFileSync(features);
    fs.writeFileSync(features, ''); // a 0-byte .gz
    const { database, drop } = await openTestDatabase();
    try {
      const rejects: Reject[] = [];
      const failed = await importExport(database, { location: copy, onReject: (r) => void rejects.push(r) });
      expect(failed.files).toMatchObject({ failed: 1, blocked: 2 });
      expect(failed.blockedFiles).toEqual([
        { file: `${SOURCE}/activations/batch-0.jsonl.gz`, blockedBy: `${SOURCE}/features/batch-0.jsonl.gz` },
        { file: `${SOURCE}/explanations/batch-0.jsonl.gz`, blockedBy: `${SOURCE}/features/batch-0.jsonl.gz` },
      ]);
      // One reject for the failed file; the blocked files' rows are not rejected one by one.
      expect(rejects.map((r) => r.file)).toEqual([`${SOURCE}/features/batch-0.jsonl.gz`]);

      fs.writeFileSync(features, good);
      const repaired = await importExport(database, { location: copy });
      expect(repaired.files).toMatchObject({ imported: 3, failed: 0, blocked: 0 });
      expect(repaired.rejected).toBe(0);
      expect(await tableDigest(database)).toEqual(expected);
    } finally {
      await drop();
    }
  });

  it('a file recorded with rows whose parent was missing is retried on the next run', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      // Explanations alone: their features are not in the database, every row is rejected.
      const first = await importExport(database, { location: exportDir, explanations: 'only' });
      expect(first.rejected).toBe(FEATURES);
      const full = await importExport(database, { location: exportDir });
      expect(full.files.retried).toBe(1);
      expect(full.retriedFiles).toEqual([`${SOURCE}/explanations/batch-0.jsonl.gz`]);
      expect(full.rejected).toBe(0);
      expect(await tableDigest(database)).toEqual(expected);
      const again = await importExport(database, { location: exportDir });
      expect(again.files).toMatchObject({ skipped: again.files.total, retried: 0 });
    } finally {
      await drop();
    }
  });
});
