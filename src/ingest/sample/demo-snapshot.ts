// The demo sample pre-built as an embedded database: `npm run build` makes it once
// (dist/demo-data.tar.gz), and a first start on an empty data folder loads it in about a second,
// instead of creating a database, migrating it and importing the sample (about 5 s).
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeAtStart } from '../../db/analyze.js';
import { dumpEmbedded, isFreshDataDir, openDatabase } from '../../db/client.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../../db/migrate.js';
import { loadDemoDataIfEmpty } from './demo-data.js';

/** The same file from src/ (tsx) and dist/ (node): the package's dist/ folder. */
export const DEMO_SNAPSHOT_FILE = fileURLToPath(new URL('../../../dist/demo-data.tar.gz', import.meta.url));

/** Writes the pre-built demo to `file` (atomically: a killed build leaves no half file). */
export async function buildDemoSnapshot(file = DEMO_SNAPSHOT_FILE): Promise<number> {
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await runMigrations(database);
    await loadDemoDataIfEmpty(database);
    await analyzeAtStart(database);
    const dump = Buffer.from(await (await dumpEmbedded(database)).arrayBuffer());
    await writeFile(`${file}.tmp`, dump);
    await rename(`${file}.tmp`, file);
    return dump.length;
  } finally {
    await database.close();
  }
}

/** Whether the snapshot is missing or older than a migration (a new build makes it again). */
export async function demoSnapshotIsStale(file = DEMO_SNAPSHOT_FILE): Promise<boolean> {
  if (!existsSync(file)) return true;
  const builtAt = statSync(file).mtimeMs;
  const migrations = await readdir(MIGRATIONS_FOLDER);
  return migrations.some((name) => statSync(path.join(MIGRATIONS_FOLDER, name)).mtimeMs > builtAt);
}

/** The pre-built demo to start an empty data folder from, when there is one; migrations still run after. */
export async function demoSnapshotFor(dataDir: string, file = DEMO_SNAPSHOT_FILE): Promise<Blob | undefined> {
  if (!isFreshDataDir(dataDir) || !existsSync(file)) return undefined;
  return new Blob([await readFile(file)]);
}
