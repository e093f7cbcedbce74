// Several `npm run import` processes on one export (issue 17): on Postgres they share the files
// through claims and end with exactly the tables of one importer, each file loaded once; an
// importer killed while it holds a file frees it for the others. The embedded database keeps one
// importer and says so.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { importExport } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { openTestDatabase } from '../helper.js';
import { tableDigest } from './digest.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const repo = path.resolve(import.meta.dirname, '../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-parallel-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const exportDir = path.join(root, 'export');
const LAYERS = [3, 4, 5, 6];
let expected: Record<string, string>;
let totalFiles = 0;

beforeAll(async () => {
  await writeSampleExport(exportDir, { layers: LAYERS, featuresPerSource: 40, activationsPerFeature: 3, tokensPerActivation: 8 });
  if (!onPostgres) return;
  const reference = await openTestDatabase();
  try {
    const summary = await importExport(reference.database, { location: exportDir });
    totalFiles = summary.files.total;
    expect(summary.files.imported).toBe(totalFiles);
    expected = await tableDigest(reference.database);
  } finally {
    await reference.drop();
  }
}, 120_000);

interface Run {
  child: ChildProcess;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stderr: () => string;
}

function start(args: string[], env: Record<string, string>, script = 'scripts/import.ts'): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited, stderr: () => stderr + stdout };
}

const importer = (url: string, name: string) =>
  start([exportDir, '--rejects', path.join(root, `${name}.jsonl`)], { DATABASE_URL: url, DATA_DIR: path.join(root, `unused-${name}`) });

/** "imported N" of a run's summary line. */
const importedCount = (stdout: string) => Number(/Files: \d+ \(imported (\d+)/.exec(stdout)?.[1] ?? NaN);

async function until(test: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(onPostgres)('parallel importers on Postgres', () => {
  it('three importers on one export load each file once and end with the tables of one importer', async () => {
    const target = await openTestDatabase();
    try {
      const runs = ['a', 'b', 'c'].map((name) => importer(target.url!, name));
      const results = await Promise.all(runs.map((r) => r.exited));
      for (const r of results) expect(r.code, r.stderr + r.stdout).toBe(0);
      // Each file loaded by exactly one of them; the others found it imported.
      expect(results.reduce((sum, r) => sum + importedCount(r.stdout), 0)).toBe(totalFiles);
      const records = await queryRows<{ n: number }>(
        target.database.db,
        sql`SELECT count(*)::int AS n FROM "ImportedFile" WHERE "completedAt" IS NOT NULL`,
      );
      expect(records[0]!.n).toBe(totalFiles);
      expect(await tableDigest(target.database)).toEqual(expected);
    } finally {
      await target.drop();
    }
  }, 240_000);

  it('a file held by an importer that dies is loaded by another; files depending on it wait for it', async () => {
    const target = await openTestDatabase();
    try {
      // Stops inside layer 5's features (its claim held, its rows uncommitted) until killed.
      const stuck = start(
        [exportDir, target.url!],
        { STOP_IN: '5-res-jb/features/batch-0.jsonl.gz', BATCH_SIZE: '10' },
        'test/fixtures/import-child.ts',
      );
      await until(() => stuck.stderr().includes('MIDFILE'), 120_000);
      const others = ['d', 'e'].map((name) => importer(target.url!, name));
      // Both get going, and finish the other sources; layer 5's features (and so its activations
      // and explanations) stay unloaded while the claim is held.
      await until(() => others.every((r) => r.stderr().includes('import:')), 120_000);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      for (const r of others) expect(r.child.exitCode).toBeNull();
      const before = await queryRows<{ n: number }>(
        target.database.db,
        sql`SELECT count(*)::int AS n FROM "Neuron" WHERE "layer" = '5-res-jb'`,
      );
      expect(before[0]!.n).toBe(0);
      stuck.child.kill('SIGKILL');
      const results = await Promise.all(others.map((r) => r.exited));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect(await tableDigest(target.database)).toEqual(expected);
    } finally {
      await target.drop();
    }
  }, 300_000);
});

describe.runIf(!onPostgres)('parallel importers on the embedded database', () => {
  it('loads one file at a time and says so', async () => {
    const run = start([exportDir, '--jobs', '3', '--source', '6-res-jb'], { DATABASE_URL: '', DATA_DIR: path.join(root, 'data') });
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('The embedded database loads one file at a time (it is single-process): --jobs is ignored');
    expect(result.stdout).toMatch(/\| Activation \| 120 \| 120 \| 0 \|/);
  }, 120_000);
});
