// The demo sample pre-built as an embedded database folder: `npm run build` makes it once
// (dist/demo-data/, 44 MB), and a first start on an empty data folder copies it in and opens it as
// any database (about 0.9 s here, most of it writing the copy), instead of creating a database,
// migrating it and importing the sample (about 5 s). The previous form, a PGlite dump loaded
// through PGlite's own file system, took 1.3–1.7 s.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeAtStart } from '../../db/analyze.js';
import { isFreshDataDir, openDatabase } from '../../db/client.js';
import { LOCK_FILE_NAME } from '../../db/data-dir-lock.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../../db/migrate.js';
import { loadDemoDataIfEmpty } from './demo-data.js';

/** The same folder from src/ (tsx) and dist/ (node): the package's dist/ folder. */
export const DEMO_SNAPSHOT_DIR = fileURLToPath(new URL('../../../dist/demo-data', import.meta.url));

/** Builds the demo database in `dir` (whole or not at all: it is built beside and renamed); its size in bytes. */
export async function buildDemoSnapshot(dir = DEMO_SNAPSHOT_DIR): Promise<number> {
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  const database = await openDatabase({ dataDir: building });
  try {
    await runMigrations(database);
    await loadDemoDataIfEmpty(database);
    await analyzeAtStart(database);
  } finally {
    await database.close();
  }
  // The build's own lock is no part of the database.
  rmSync(path.join(building, LOCK_FILE_NAME), { force: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size, 0);
}

/** Whether the demo is missing or older than a migration (a new build makes it again). */
export async function demoSnapshotIsStale(dir = DEMO_SNAPSHOT_DIR): Promise<boolean> {
  // PG_VERSION is written as the build starts: a migration changed during a build counts as newer.
  const version = path.join(dir, 'PG_VERSION');
  if (!existsSync(version)) return true;
  const builtAt = statSync(version).mtimeMs;
  return readdirSync(MIGRATIONS_FOLDER).some((name) => statSync(path.join(MIGRATIONS_FOLDER, name)).mtimeMs > builtAt);
}

/** The pre-built demo folder to start an empty data folder from, when there is one; migrations still run after. */
export function demoSnapshotFor(dataDir: string, dir = DEMO_SNAPSHOT_DIR): string | undefined {
  if (!isFreshDataDir(dataDir) || !existsSync(path.join(dir, 'PG_VERSION'))) return undefined;
  return dir;
}
