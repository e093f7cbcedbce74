// An import killed with SIGKILL in the middle of a file, then started again, ends with exactly the
// rows of an uninterrupted import. Runs on the embedded database (a data folder) or, when
// TEST_DATABASE_URL is set, on a fresh Postgres database.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { importExport } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/sample/sample-export.js';
import { openTestDatabase } from '../helper.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-resume-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A digest of every imported row, to compare two databases. */
async function contents(database: Database) {
  const rows = await queryRows<Record<string, unknown>>(database.db, sql`
    SELECT
      (SELECT count(*) FROM "Neuron")::int AS neurons,
      (SELECT count(*) FROM "Activation")::int AS activations,
      (SELECT count(*) FROM "Explanation")::int AS explanations,
      (SELECT md5(string_agg("id" || ':' || array_to_string("values", ',') || ':' || array_to_string("tokens", ','), '|' ORDER BY "id")) FROM "Activation") AS activation_digest,
      (SELECT md5(string_agg("layer" || '/' || "index" || ':' || array_to_string("pos_values", ','), '|' ORDER BY "layer", "index")) FROM "Neuron") AS neuron_digest,
      (SELECT count(*) FROM "ImportedFile")::int AS files`);
  return rows[0];
}

it('resumes after being killed mid-file and ends with the rows of an uninterrupted run', async () => {
  await writeSampleExport(root, { featuresPerSource: 300, activationsPerFeature: 5, tokensPerActivation: 16 });

  // The reference: one uninterrupted import.
  const reference = await openTestDatabase();
  await importExport(reference.database, { location: root });
  const expected = await contents(reference.database);
  await reference.drop();

  // The interrupted one: a child process killed while its activations file is half written.
  const target = await openTestDatabase();
  let where: string;
  if (target.url) {
    where = target.url;
  } else {
    await target.database.close(); // in-memory: use a data folder instead, so the child can share it
    where = path.join(root, 'data');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/import-child.ts', root, where], {
    env: { ...process.env, STOP_IN: 'activations/batch-0.jsonl.gz' },
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
  expect(outcome).toBe('midfile');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));

  const resumed = target.url ? target.database : await openDatabase({ dataDir: where });
  try {
    await runMigrations(resumed);
    const partial = await contents(resumed);
    // Postgres: the killed file's transaction never committed. Embedded: its first batch did, with
    // the file recorded as in progress, so that readers are never held up for a whole file.
    if (target.url) expect(partial?.activations).toBe(0);
    else expect(partial?.activations).toBe(500);
    const summary = await importExport(resumed, { location: root });
    expect(summary.files.skipped).toBeGreaterThan(0); // finished files were not read again
    expect(summary.files.failed).toBe(0);
    expect(summary.files.resumed).toBe(target.url ? 0 : 1);
    expect(await contents(resumed)).toEqual(expected);
  } finally {
    if (target.url) await target.drop();
    else await resumed.close();
  }
}, 120_000);
