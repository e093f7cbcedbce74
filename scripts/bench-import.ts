// npm run bench:import -- [--activations N] [--tokens T] [--pglite] [--importers P] [--jobs J] [--rounds R]
// Generates an export, imports it, and prints activation rows/s, MB/s of JSONL and peak RSS beside
// floors and ceilings measured in the same run on the same files:
//   - parse floor: gunzip + line split + JSON.parse alone (no database);
//   - Neuronpedia's method: whole file in memory, batched INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO NOTHING;
//   - Postgres only: psql's own \copy of the same rows, pre-encoded, into the same (empty) tables.
// --importers P runs P import processes together on the export (Postgres; they share the files
// through claims) and --jobs J gives each J files in flight (default: npm run import's); the importer's time is then the span
// from the first activation file's start to the last one's end, over all of them.
// --rounds R (Postgres) times this importer and \copy R times each, alternating, and reports the
// medians and the median of the per-round ratios: on a shared machine one run of each, minutes
// apart, measures the load as much as the methods.
// Postgres: BENCH_DATABASE_URL, else the one scripts/dev-postgres starts. --pglite: a PGlite folder.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { activation } from '../src/db/schema/index.js';
import { DEFAULT_IMPORT_JOBS, importExport } from '../src/ingest/import-export.js';
import { tableSpec } from '../src/db/import/table-spec.js';
import { writeSampleExport } from '../src/ingest/sample/sample-export.js';
import { encodeForCopy, timeNeuronpediaMethod } from './bench-import-methods.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({
  options: {
    activations: { type: 'string' },
    tokens: { type: 'string' },
    pglite: { type: 'boolean' },
    child: { type: 'string' },
    importers: { type: 'string' },
    jobs: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const ACTS_PER_FEATURE = 20;

/** The import itself runs in a child process so that its peak RSS is its own. */
if (values.child) {
  const [location, target] = JSON.parse(values.child) as [string, string];
  const database = await openDatabase(target.startsWith('postgres') ? { databaseUrl: target, dataDir: '' } : { dataDir: target });
  await runMigrations(database);
  // Wall-clock (epoch) span of the activation files, so spans of several processes can be joined.
  let firstStart = Infinity;
  let lastEnd = 0;
  let activationRows = 0;
  await importExport(database, {
    location,
    jobs: Number(values.jobs ?? DEFAULT_IMPORT_JOBS),
    onEvent: (e) => {
      const now = performance.timeOrigin + performance.now();
      if (e.type === 'file-start' && e.file.table === 'Activation') firstStart = Math.min(firstStart, now);
      if (e.type === 'file-done' && e.file.table === 'Activation') {
        lastEnd = Math.max(lastEnd, now);
        activationRows += e.inserted;
      }
    },
  });
  await database.close();
  process.stdout.write(JSON.stringify({ firstStart, lastEnd, activationRows, peakRss: process.resourceUsage().maxRSS * 1024 }) + '\n');
  process.exit(0);
}

const activations = Number(values.activations ?? 200_000);
const tokens = Number(values.tokens ?? 14);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-import-'));
const mb = (bytes: number) => bytes / (1024 * 1024);

function activationFiles(): string[] {
  const dir = path.join(root, 'v1', 'gpt2-small', '6-res-jb', 'activations');
  return fs
    .readdirSync(dir)
    .sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)))
    .map((f) => path.join(dir, f));
}

async function freshTarget(name: string): Promise<{ target: string; open: () => Promise<Database>; drop: () => Promise<void> }> {
  if (values.pglite) {
    const dir = path.join(root, `db-${name}`);
    return { target: dir, open: () => openDatabase({ dataDir: dir }), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const server =
    process.env.BENCH_DATABASE_URL ??
    execFileSync(path.join(import.meta.dirname, 'dev-postgres'), ['start'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  // The process id keeps two benchmarks on one server apart.
  const db = `bench_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${db}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${db}`;
  return {
    target: url.toString(),
    open: () => openDatabase({ databaseUrl: url.toString(), dataDir: '' }),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Loads everything but the activations, so a method can be timed on activations alone. */
async function prepareWithoutActivations(name: string) {
  const t = await freshTarget(name);
  const database = await t.open();
  await runMigrations(database);
  const files = activationFiles();
  const hidden = files.map((f) => `${f}.hidden`);
  files.forEach((f, i) => fs.renameSync(f, hidden[i]!));
  try {
    await importExport(database, { location: root });
  } finally {
    hidden.forEach((h, i) => fs.renameSync(h, files[i]!));
  }
  return { ...t, database };
}

/** Our importer in `importers` child processes on one fresh database (its own RSS each). */
async function runOurs(importers: number, rows: number) {
  const ours = await freshTarget(`ours_${importers}`);
  const outputs = await Promise.all(
    Array.from({ length: importers }, () => {
      const args = [
        '--import',
        'tsx',
        import.meta.filename,
        '--child',
        JSON.stringify([root, ours.target]),
        '--jobs',
        values.jobs ?? String(DEFAULT_IMPORT_JOBS),
      ];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      return new Promise<string>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`import child failed: ${stderr}`)))),
      );
    }),
  );
  const parts = outputs.map(
    (out) => JSON.parse(out.trim().split('\n').at(-1)!) as { firstStart: number; lastEnd: number; activationRows: number; peakRss: number },
  );
  const result = {
    activationMs: Math.max(...parts.map((p) => p.lastEnd)) - Math.min(...parts.map((p) => p.firstStart)),
    activationRows: parts.reduce((sum, p) => sum + p.activationRows, 0),
    peakRss: Math.max(...parts.map((p) => p.peakRss)),
  };
  if (result.activationRows !== rows) throw new Error(`the importers stored ${result.activationRows} activations of ${rows}`);
  await ours.drop();
  return result;
}

/** psql's \copy of the encoded rows into a fresh database holding everything but the activations. */
async function timeCopy(copyFile: string, spec: ReturnType<typeof tableSpec>): Promise<number> {
  const ceiling = await prepareWithoutActivations('copy');
  await ceiling.database.close();
  const t0 = performance.now();
  execFileSync('psql', [
    ceiling.target,
    '-qc',
    `\\copy "Activation" (${spec.columns.map((c) => `"${c.name}"`).join(', ')}) FROM '${copyFile}'`,
  ]);
  const ms = performance.now() - t0;
  await ceiling.drop();
  return ms;
}

async function main() {
  console.log(`Generating an export with ${activations} activations of ${tokens} tokens…`);
  await writeSampleExport(root, {
    featuresPerSource: Math.ceil(activations / ACTS_PER_FEATURE),
    activationsPerFeature: ACTS_PER_FEATURE,
    tokensPerActivation: tokens,
    explanationsPerFeature: 1,
  });
  const files = activationFiles();
  const gzBytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);

  // Floor 1: gunzip + split + JSON.parse.
  const t0 = performance.now();
  let jsonlBytes = 0;
  let rows = 0;
  for (const file of files) {
    const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
    jsonlBytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line) continue;
      JSON.parse(line);
      rows++;
    }
  }
  const parseMs = performance.now() - t0;

  // Ours, in child processes: one importer, and (--importers P) P of them sharing the export.
  const importers = Number(values.importers ?? 1);
  const rounds = Math.max(1, Number(values.rounds ?? 1));
  const single = await runOurs(1, rows);
  const result = importers > 1 ? await runOurs(importers, rows) : single;

  const spec = tableSpec(activation, 'Activation');
  // Neuronpedia's method: jsonb_to_recordset, 5,000 lines per statement, whole files in memory.
  const upstream = await prepareWithoutActivations('upstream');
  const upstreamMs = await timeNeuronpediaMethod(upstream.database, files, spec);
  await upstream.database.close();
  await upstream.drop();

  // Postgres only: psql's \copy of pre-encoded rows into the same empty tables, alternating with
  // this importer when --rounds asks for more than one of each.
  let copyMs: number | undefined;
  let roundRatios: number[] = [];
  if (!values.pglite) {
    const copyFile = encodeForCopy(files, spec, root);
    const copies = [await timeCopy(copyFile, spec)];
    const ours = [result.activationMs];
    for (let round = 1; round < rounds; round++) {
      ours.push((await runOurs(importers, rows)).activationMs);
      copies.push(await timeCopy(copyFile, spec));
    }
    roundRatios = copies.map((c, i) => c / ours[i]!);
    copyMs = median(copies);
    result.activationMs = median(ours);
  }

  const rate = (ms: number) => Math.round(rows / (ms / 1000));
  const mbps = (ms: number) => (mb(jsonlBytes) / (ms / 1000)).toFixed(1);
  console.log(
    `\nImport benchmark on ${values.pglite ? 'PGlite' : 'Postgres'}: ${rows} activation rows (${tokens} tokens), ${mb(jsonlBytes).toFixed(0)} MB of JSONL in ${files.length} files (${mb(gzBytes).toFixed(0)} MB gzipped), ${os.cpus().length} cores, ${importers} importer process(es) × ${values.jobs ?? DEFAULT_IMPORT_JOBS} file(s) in flight\n`,
  );
  console.log('| method | activation rows/s | MB/s of JSONL | peak RSS | speed relative to this importer |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| gunzip + JSON.parse only (floor, no database) | ${rate(parseMs)} | ${mbps(parseMs)} | | ${(result.activationMs / parseMs).toFixed(2)} |`,
  );
  if (importers > 1)
    console.log(
      `| this importer, one process | ${rate(single.activationMs)} | ${mbps(single.activationMs)} | ${mb(single.peakRss).toFixed(0)} MB | ${(result.activationMs / single.activationMs).toFixed(2)} |`,
    );
  console.log(
    `| **this importer${importers > 1 ? `, ${importers} processes` : ''}** | ${rate(result.activationMs)} | ${mbps(result.activationMs)} | ${mb(result.peakRss).toFixed(0)} MB | 1.00 |`,
  );
  console.log(
    `| Neuronpedia's method (jsonb_to_recordset, 5k lines/statement) | ${rate(upstreamMs)} | ${mbps(upstreamMs)} | | ${(result.activationMs / upstreamMs).toFixed(2)} |`,
  );
  if (copyMs)
    console.log(
      `| psql \\copy of pre-encoded rows (ceiling) | ${rate(copyMs)} | ${mbps(copyMs)} | | ${(result.activationMs / copyMs).toFixed(2)} |`,
    );
  if (copyMs && importers > 1) console.log(`\nOne importer process reached ${(copyMs / single.activationMs).toFixed(2)} of psql's \\copy.`);
  console.log(
    `${importers > 1 ? '' : '\n'}Ours${importers > 1 ? ` (${importers} processes)` : ''} reached ${(copyMs ? copyMs / result.activationMs : upstreamMs / result.activationMs).toFixed(2)} of ${copyMs ? "psql's \\copy" : "Neuronpedia's method"}.`,
  );
  if (roundRatios.length > 1)
    console.log(
      `Over ${roundRatios.length} alternating rounds (medians above): per-round ratios ${roundRatios.map((r) => r.toFixed(2)).join(', ')}; median ${median(roundRatios).toFixed(2)}.`,
    );
}

try {
  await main();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
