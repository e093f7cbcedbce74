// Cold start: `node dist/server.js` on an empty data folder until the first 200 from
// GET /api/feature/gpt2-small/6-res-jb/5, with the pre-built demo (dist/demo-data/) and,
// as the baseline in the same run, without it (create, migrate and import the sample at start).
// Run `npm run build` first; `npm start` adds npm itself and its build check (file times, scripts/build-if-stale.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_SNAPSHOT_DIR } from '../src/ingest/sample/demo-snapshot.js';
import { median } from './bench-stats.js';

const RUNS = Number(process.argv[2] ?? 3);
const PORT = 3470;

async function coldStart(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  const started = performance.now();
  const server = spawn(process.execPath, ['dist/server.js'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${PORT}/api/feature/gpt2-small/6-res-jb/5`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return performance.now() - started;
      if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
      await sleep(20);
    }
  } finally {
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!existsSync('dist/server.js') || !existsSync(DEMO_SNAPSHOT_DIR)) {
  console.error('run `npm run build` first (it makes dist/server.js and dist/demo-data/)');
  process.exit(1);
}
const aside = `${DEMO_SNAPSHOT_DIR}.aside`;
const withDemo: number[] = [];
const baseline: number[] = [];
for (let run = 0; run < RUNS; run++) {
  withDemo.push(await coldStart());
  renameSync(DEMO_SNAPSHOT_DIR, aside);
  try {
    baseline.push(await coldStart());
  } finally {
    renameSync(aside, DEMO_SNAPSHOT_DIR);
  }
}
const ms = (values: number[]) => `${Math.round(median(values))} ms (runs: ${values.map(Math.round).join(', ')})`;
console.log(`first 200 after start, empty data folder, median of ${RUNS}:`);
console.log(`  pre-built demo:                          ${ms(withDemo)}`);
console.log(`  baseline (create, migrate, import demo): ${ms(baseline)}`);
