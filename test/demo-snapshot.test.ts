// The pre-built demo (npm run build → dist/demo-data.tar.gz): a first start on an empty data folder
// loads it instead of creating, migrating and importing, and serves the demo feature at once; a
// folder that already holds a database is never overwritten. Embedded database only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { buildDemoSnapshot, demoSnapshotFor, demoSnapshotIsStale } from '../src/ingest/sample/demo-snapshot.js';
import { buildAppOn } from './helper.js';

describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('pre-built demo (embedded database only; skipped on TEST_DATABASE_URL)', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'demo-snapshot-'));
  const file = path.join(folder, 'demo-data.tar.gz');
  beforeAll(async () => {
    expect(await demoSnapshotIsStale(file)).toBe(true);
    expect(await buildDemoSnapshot(file)).toBeGreaterThan(100_000);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is current once built, and offered only to an empty data folder', async () => {
    expect(await demoSnapshotIsStale(file)).toBe(false);
    expect(await demoSnapshotFor(path.join(folder, 'fresh'), file)).toBeInstanceOf(Blob);
    expect(await demoSnapshotFor('memory://', file)).toBeUndefined();
    expect(await demoSnapshotFor(path.join(folder, 'fresh'), path.join(folder, 'missing.tar.gz'))).toBeUndefined();
    const used = path.join(folder, 'used');
    rmSync(used, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(used);
    writeFileSync(path.join(used, 'PG_VERSION'), '18\n');
    expect(await demoSnapshotFor(used, file)).toBeUndefined();
  });

  it('starts an empty folder with the demo: migrated, and the demo feature served', async () => {
    const dataDir = path.join(folder, 'data');
    const database = await openDatabase({ dataDir, pgliteSnapshot: await demoSnapshotFor(dataDir, file) });
    await runMigrations(database);
    const ctx = await buildAppOn(database, () => database.close());
    try {
      const res = await ctx.app.inject({ url: '/api/feature/gpt2-small/6-res-jb/5' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ modelId: 'gpt2-small', layer: '6-res-jb', index: '5' });
      const [row] = await queryRows<{ features: number }>(database.db, sql`SELECT count(*)::int AS features FROM "Neuron"`);
      expect(row!.features).toBe(300);
    } finally {
      await ctx.close();
    }
  });
});
