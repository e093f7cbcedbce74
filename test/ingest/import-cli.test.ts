// npm run import: the command a user runs, end to end in a child process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.js';
import { writeSampleExport } from '../../src/sample/sample-export.js';

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
    for (const flag of ['--model', '--source', '--explanations', '--max-errors', '--rejects']) expect(result.stdout).toContain(flag);
  });

  it('imports into the embedded database, writes the reject report and exits 1 when records were rejected', async () => {
    const exportDir = path.join(root, 'export');
    await writeSampleExport(exportDir, { featuresPerSource: 10, activationsPerFeature: 2, bad: true });
    const rejects = path.join(root, 'rejects.jsonl');
    const result = runImport([exportDir, '--rejects', rejects]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/\| Neuron \| 13 \| 10 \| 3 \|/);
    expect(result.stdout).toContain('Rejected records: 5');
    const lines = fs.readFileSync(rejects, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ file: 'v1/gpt2-small/6-res-jb/features/batch-0.jsonl.gz', line: 11 });
    // In a pipe, progress is plain log lines.
    expect(result.stderr).toMatch(/import: \d+ files/);
    const again = runImport([exportDir, '--rejects', rejects]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('imported 0, already imported 12');
  });

  it('refuses bad flags with exit code 2', () => {
    expect(runImport([]).status).toBe(2);
    expect(runImport([root, '--explanations', 'maybe']).status).toBe(2);
  });

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
