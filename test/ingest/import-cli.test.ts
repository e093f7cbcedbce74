// npm run import: the command a user runs, end to end in a child process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-import-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function runImport(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args], {
    encoding: 'utf8',
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: path.join(root, 'data'), ...env },
  });
}

describe('npm run import', () => {
  it('documents itself', () => {
    const result = runImport(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: npm run import -- <location> [options]');
    for (const flag of ['--model', '--source', '--explanations', '--max-errors', '--rejects', '--max-line-bytes'])
      expect(result.stdout).toContain(flag);
  });

  it('imports into the embedded database, writes the reject report and exits 1 when records were rejected', async () => {
    const exportDir = path.join(root, 'export');
    await writeSampleExport(exportDir, { featuresPerSource: 10, activationsPerFeature: 2, bad: true });
    const rejects = path.join(root, 'rejects.jsonl');
    const result = runImport([exportDir, '--rejects', rejects]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/\| Neuron \| 13 \| 10 \| 3 \|/);
    expect(result.stdout).toContain('Rejected records: 5');
    const lines = fs
      .readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ file: 'v1/gpt2-small/6-res-jb/features/batch-0.jsonl.gz', line: 11 });
    // In a pipe, progress is plain log lines.
    expect(result.stderr).toMatch(/import: \d+ files/);
    // The two files with rows whose parent was missing are retried (their parents are still missing).
    const again = runImport([exportDir, '--rejects', rejects]);
    expect(again.status).toBe(1);
    expect(again.stdout).toContain('imported 2 (2 retried), already imported 10');
    expect(again.stdout).toContain('Retried (rows of it had a missing parent last time): v1/gpt2-small/6-res-jb/features/batch-0.jsonl.gz');
  });

  it('says which files were blocked by a failed parent file and exits 1; the repaired export then imports', async () => {
    const exportDir = path.join(root, 'blocked');
    await writeSampleExport(exportDir, { featuresPerSource: 10, activationsPerFeature: 2 });
    const features = path.join(exportDir, 'v1', 'gpt2-small', '6-res-jb', 'features', 'batch-0.jsonl.gz');
    const good = fs.readFileSync(features);
    fs.writeFileSync(features, '');
    const env = { DATA_DIR: path.join(root, 'data-blocked') };
    const blocked = runImport([exportDir, '--rejects', path.join(root, 'blocked.jsonl')], env);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain('failed 1, blocked 2');
    expect(blocked.stdout).toContain(
      'Blocked, not loaded: v1/gpt2-small/6-res-jb/activations/batch-0.jsonl.gz (v1/gpt2-small/6-res-jb/features/batch-0.jsonl.gz was not imported)',
    );
    fs.writeFileSync(features, good);
    const repaired = runImport([exportDir, '--rejects', path.join(root, 'blocked.jsonl')], env);
    expect(repaired.status, repaired.stdout).toBe(0);
    expect(repaired.stdout).toMatch(/\| Activation \| 20 \| 20 \| 0 \|/);
  }, 120_000); // two child processes: over 30 s on a busy machine

  it('refuses bad flags with exit code 2', () => {
    expect(runImport([]).status).toBe(2);
    expect(runImport([root, '--explanations', 'maybe']).status).toBe(2);
    expect(runImport([root, '--max-line-bytes', '0']).status).toBe(2);
    const badStart = runImport([root, '--explanation-batch-start', '1.5']);
    expect(badStart.status).toBe(2);
    expect(badStart.stderr).toContain('--explanation-batch-start must be a whole number');
  });

  it('--explanation-batch-start N skips the explanation batches numbered below N', async () => {
    const exportDir = path.join(root, 'batches');
    await writeSampleExport(exportDir, { layers: [9], featuresPerSource: 3, activationsPerFeature: 1 });
    // A second explanations batch holding one more explanation of the first one's feature.
    const dir = path.join(exportDir, 'v1', 'gpt2-small', '9-res-jb', 'explanations');
    const first = JSON.parse(
      zlib
        .gunzipSync(fs.readFileSync(path.join(dir, 'batch-0.jsonl.gz')))
        .toString()
        .split('\n')[0]!,
    );
    fs.writeFileSync(path.join(dir, 'batch-1.jsonl.gz'), zlib.gzipSync(JSON.stringify({ ...first, id: 'from-batch-1' }) + '\n'));
    const result = runImport([exportDir, '--explanation-batch-start', '1'], { DATA_DIR: path.join(root, 'data-batches') });
    expect(result.status, result.stderr).toBe(0);
    // Only batch-1's one line was read: batch-0's three explanations were skipped.
    expect(result.stdout).toMatch(/\| Explanation \| 1 \| 1 \| 0 \|/);
    expect(result.stdout).toMatch(/\| Neuron \| 3 \| 3 \| 0 \|/);
  }, 120_000); // one child process that migrates a fresh embedded database: slow on a busy machine

  it('refuses a data folder that a server holds, saying who holds it', () => {
    const dataDir = path.join(root, 'held');
    const release = acquireDataDirLock(dataDir, 'npm start');
    try {
      const result = runImport([root], { DATA_DIR: dataDir });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`is in use by process ${process.pid} (npm start`);
    } finally {
      release();
    }
  });
});
