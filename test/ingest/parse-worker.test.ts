// The parse worker (src/ingest/parse-worker/, Postgres): an import through it ends with the same
// tables and the same rejects (file, line, reason, raw) as the in-thread path; a worker that dies
// mid-file fails that file with a clear error, leaves it unrecorded and is not reused, and the
// next run loads the file; the worker stops parsing while the database is slow (at most three
// batches wait for the main thread); an import starts its workers before its first file; and a file
// is read without parent checks unless a foreign key says one is missing. The embedded database has no COPY sink: the worker is unused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { sinkFor, type FileWriter } from '../../src/db/import/sinks.js';
import { importExport, type Reject } from '../../src/ingest/import-export.js';
import { discoverExport, type ExportFile } from '../../src/ingest/layout.js';
import { specFor } from '../../src/ingest/load-lines.js';
import { loadLinesInWorker, ParseWorkers } from '../../src/ingest/parse-worker/host.js';
import type { FromWorker } from '../../src/ingest/parse-worker/messages.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { openTestDatabase } from '../helper.js';
import { tableDigest } from './digest.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-parse-worker-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const exportDir = path.join(root, 'export');
const ACTIVATIONS = 'v1/gpt2-small/6-res-jb/activations/batch-0.jsonl.gz';
const MB = 1024 * 1024;

beforeAll(async () => {
  await writeSampleExport(exportDir, { featuresPerSource: 60, activationsPerFeature: 3, tokensPerActivation: 6, bad: true });
  // Damage the activations further at known lines: bad JSON, a wrong type, a blank line, a CRLF.
  const file = path.join(exportDir, ACTIVATIONS);
  const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').trimEnd().split('\n');
  lines[1] = '{"id": "act-broken", "values": [1, 2';
  lines[4] = lines[4]!.replace(/"maxValue":[^,]+/, '"maxValue":"high"');
  lines[6] = '';
  lines[8] = `${lines[8]}\r`;
  fs.writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
}, 60_000);

describe.skipIf(!onPostgres)('parse worker', () => {
  async function run(workerMinBytes: number) {
    const target = await openTestDatabase();
    const rejects: Reject[] = [];
    try {
      const summary = await importExport(target.database, {
        location: exportDir,
        workerMinBytes,
        batchSize: 7,
        onReject: (r) => void rejects.push(r),
      });
      return { summary, rejects, digest: await tableDigest(target.database) };
    } finally {
      await target.drop();
    }
  }

  it('imports the same rows and reports the same rejects, at the same lines, as the in-thread path', async () => {
    const inThread = await run(Infinity);
    const inWorker = await run(0);
    expect(inWorker.digest).toEqual(inThread.digest);
    expect(inWorker.rejects).toEqual(inThread.rejects);
    const activationRejects = inWorker.rejects.filter((r) => r.file === ACTIVATIONS);
    expect(activationRejects.map((r) => r.line).slice(0, 2)).toEqual([2, 5]);
    expect(activationRejects[0]).toMatchObject({
      reason: expect.stringMatching(/^malformed JSON/),
      raw: '{"id": "act-broken", "values": [1, 2',
    });
    expect(activationRejects[1]!.reason).toMatch(/^maxValue: expected a finite number/);
    // The sample's orphan activation (its feature is not in the export), cut out of its COPY batch.
    expect(activationRejects.find((r) => r.reason.startsWith('parent missing'))!.reason).toMatch(/feature gpt2-small\/6-res-jb\/88888888 /);
    expect(inWorker.summary.tables.Activation).toEqual(inThread.summary.tables.Activation);
  }, 120_000);

  it('fails a file whose worker dies, with a clear error, leaves it unrecorded, and the next run loads it', async () => {
    const target = await openTestDatabase();
    const workers = new ParseWorkers(16 * MB);
    try {
      const rejects: Reject[] = [];
      let killed = 0;
      const first = await importExport(target.database, {
        location: exportDir,
        workerMinBytes: 0,
        batchSize: 7,
        parseWorkers: workers,
        onReject: (r) => void rejects.push(r),
        onEvent: (e) => {
          if (e.type === 'progress' && e.file.key === ACTIVATIONS && killed++ === 0) for (const w of workers.live) void w.terminate();
        },
      });
      expect(first.files.failed).toBe(1);
      expect(rejects.at(-1)).toMatchObject({
        file: ACTIVATIONS,
        reason: "file not imported: the import's parse worker stopped (exit code 1)",
      });
      // Not reused: the files after it went through a fresh worker.
      expect(first.files.imported).toBe(first.files.total - 1);
      const recorded = await queryRows<{ n: number }>(
        target.database.db,
        sql`SELECT count(*)::int AS n FROM "ImportedFile" WHERE "path" = ${ACTIVATIONS}`,
      );
      expect(recorded[0]!.n).toBe(0);

      const second = await importExport(target.database, { location: exportDir, workerMinBytes: 0 });
      expect(second.files.failed).toBe(0);
      const now = await queryRows<{ n: number }>(
        target.database.db,
        sql`SELECT count(*)::int AS n FROM "ImportedFile" WHERE "path" = ${ACTIVATIONS}`,
      );
      expect(now[0]!.n).toBe(1);
      const reference = await run(Infinity);
      expect(await tableDigest(target.database)).toEqual(reference.digest);
    } finally {
      await workers.close();
      await target.drop();
    }
  }, 120_000);

  it('starts one worker per file in flight before the first file, and none when every file is small', async () => {
    for (const [workerMinBytes, expected] of [
      [0, 2],
      [Infinity, 0],
    ] as const) {
      const target = await openTestDatabase();
      const workers = new ParseWorkers(16 * MB);
      try {
        let atFirstFile: number | undefined;
        await importExport(target.database, {
          location: exportDir,
          jobs: 2,
          workerMinBytes,
          parseWorkers: workers,
          onEvent: (e) => void (e.type === 'file-start' && (atFirstFile ??= workers.live.size)),
        });
        expect(atFirstFile).toBe(expected);
        expect(workers.live.size).toBe(expected);
      } finally {
        await workers.close();
        await target.drop();
      }
    }
  }, 120_000);

  it('stops parsing while the database is slow: at most three batches wait', async () => {
    const target = await openTestDatabase();
    const workers = new ParseWorkers(16 * MB);
    try {
      // Everything but the activations' rows, so their parents exist.
      const clearActivations = () =>
        target.database.pool!.query(`DELETE FROM "Activation"; DELETE FROM "ImportedFile" WHERE "tableName" = 'Activation'`);
      await importExport(target.database, { location: exportDir });
      await clearActivations();
      const file = (await discoverExport(exportDir)).find((f) => f.key === ACTIVATIONS)!;
      const worker = workers.take();
      workers.give(worker);
      let batches = 0;
      worker.on('message', (m: FromWorker) => void (m.type === 'batch' && batches++));
      // Loads an activations file through the sink and the parse worker, noting whether each read checked parents.
      const checked: boolean[] = [];
      const loadActivations = (from: ExportFile, location: string, wrap = (writer: FileWriter) => writer) =>
        sinkFor(target.database).loadFile(specFor('Activation'), { file: from, location }, (writer) => {
          checked.push(writer.checkParents);
          return loadLinesInWorker(
            workers,
            from,
            wrap(writer),
            { maxLineBytes: 16 * MB, batchSize: 5 },
            async () => {},
            () => {},
          );
        });
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const loading = loadActivations(file, exportDir, (writer) => ({
        ...writer,
        writeEncoded: async (data, format) => (await gate, writer.writeEncoded!(data, format)),
      }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(batches).toBe(3);
      open();
      const { inserted } = await loading;
      const lines = gunzipSync(fs.readFileSync(file.location)).toString('utf8').trimEnd().split('\n');
      // Read twice: first without parent checks (the foreign key fails on the sample's orphan
      // activation, rolling the attempt back), then with them.
      expect(checked).toEqual([false, true]);
      expect(batches).toBe(2 * Math.ceil(lines.length / 5));
      const stored = await queryRows<{ n: number }>(target.database.db, sql`SELECT count(*)::int AS n FROM "Activation"`);
      expect(stored[0]!.n).toBe(inserted);
      expect(inserted).toBeGreaterThan(100);

      // Without the orphan, one read without checks is enough.
      await clearActivations();
      const clean = path.join(root, 'clean-activations.jsonl');
      fs.writeFileSync(clean, lines.filter((line) => !line.includes('88888888')).join('\n') + '\n');
      const cleanFile = { ...file, key: 'clean-activations.jsonl', location: clean, size: fs.statSync(clean).size };
      checked.length = 0;
      const again = await loadActivations(cleanFile, root);
      expect(checked).toEqual([false]);
      expect(again.inserted).toBe(inserted);
    } finally {
      await workers.close();
      await target.drop();
    }
  }, 120_000);
});
