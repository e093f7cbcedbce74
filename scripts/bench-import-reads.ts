// npm run bench:import-reads -- [--features N] [--reads N]
// Feature reads on the embedded database while the admin route imports an export, beside the same
// reads with the server idle, in one run: p50/p99/max latency. One source is imported first (the
// features read); the admin route then imports a second source of N features over HTTP while a
// client reads features of the first, one at a time, each index once (no cache hits).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../src/services/auth/api-keys.js';
import { createUser, insertApiKey } from '../src/db/queries/users.js';
import { importExport } from '../src/ingest/import-export.js';
import { serverOptions } from '../src/options.js';
import { writeSampleExport } from '../src/ingest/sample/sample-export.js';

const { values } = parseArgs({ options: { features: { type: 'string' }, reads: { type: 'string' } } });
const FEATURES = Number(values.features ?? 3000);
const IDLE_READS = Number(values.reads ?? 300);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-import-reads-'));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `${s.length} | ${quantile(s, 0.5).toFixed(1)} | ${quantile(s, 0.99).toFixed(1)} | ${s.at(-1)!.toFixed(1)}`;
};

async function main() {
  console.log(`Writing an export: 2 sources of ${FEATURES} features, 20 activations each…`);
  await writeSampleExport(path.join(root, 'export'), {
    layers: [6, 7],
    featuresPerSource: FEATURES,
    activationsPerFeature: 20,
    tokensPerActivation: 16,
  });
  const database = await openDatabase({ dataDir: path.join(root, 'data') });
  await runMigrations(database);
  await importExport(database, { location: path.join(root, 'export'), sources: ['6-res-jb'] });
  const config = loadConfig({ ...process.env, DATABASE_URL: '', DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'warn' });
  const fastify = Fastify(serverOptions(config));
  await fastify.register(app, { config, database });
  const base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  const admin = await createUser(database.db, 'bench-admin', true);
  const key = generateApiKey();
  await insertApiKey(database.db, admin.id, displayPrefix(key), hashApiKey(key));

  let next = 0;
  const readOne = async () => {
    const index = next++ % FEATURES;
    const started = performance.now();
    const res = await fetch(`${base}/api/feature/gpt2-small/6-res-jb/${index}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`feature ${index}: HTTP ${res.status}`);
    return performance.now() - started;
  };

  const idle: number[] = [];
  for (let i = 0; i < IDLE_READS; i++) idle.push(await readOne());

  const during: number[] = [];
  let importing = true;
  const started = performance.now();
  const imported = (async () => {
    const res = await fetch(`${base}/api/admin/import?location=${encodeURIComponent(path.join(root, 'export'))}&sourceId=7-res-jb`, {
      headers: { 'x-api-key': key },
    });
    const body = await res.text();
    importing = false;
    if (!body.includes('event: complete')) throw new Error(`import did not complete: ${body.slice(-500)}`);
  })();
  while (importing) during.push(await readOne());
  await imported;
  const importSeconds = (performance.now() - started) / 1000;

  console.log(
    `\nFeature reads (GET /api/feature/gpt2-small/6-res-jb/N), embedded database, ${os.cpus().length} cores; import of ${FEATURES} features, ${FEATURES * 20} activations took ${importSeconds.toFixed(1)} s\n`,
  );
  console.log('| when | reads | p50 ms | p99 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| idle | ${stats(idle)} |`);
  console.log(`| during the import | ${stats(during)} |`);
  await fastify.close();
  await database.close();
}

try {
  await main();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
