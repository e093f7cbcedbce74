// The pre-built demo (npm run build → dist/demo-data/): a first start on an empty data folder
// copies it in instead of creating, migrating and importing, and serves the demo feature at once;
// a folder that already holds a database is never overwritten, and a copy cut short is made again.
// Embedded database only.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  const template = path.join(folder, 'demo-data');
  beforeAll(async () => {
    expect(await demoSnapshotIsStale(template)).toBe(true);
    expect(await buildDemoSnapshot(template)).toBeGreaterThan(100_000);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is current once built, holds no lock, and is offered only to an empty data folder', async () => {
    expect(await demoSnapshotIsStale(template)).toBe(false);
    expect(existsSync(`${template}.building`)).toBe(false);
    expect(readdirSync(template)).not.toContain('neuronpedia-mirror.lock');
    expect(demoSnapshotFor(path.join(folder, 'fresh'), template)).toBe(template);
    expect(demoSnapshotFor('memory://', template)).toBeUndefined();
    expect(demoSnapshotFor(path.join(folder, 'fresh'), path.join(folder, 'missing'))).toBeUndefined();
    const used = path.join(folder, 'used');
    rmSync(used, { recursive: true, force: true });
    mkdirSync(used);
    writeFileSync(path.join(used, 'PG_VERSION'), '18\n');
    expect(demoSnapshotFor(used, template)).toBeUndefined();
  });

  it('starts an empty folder with the demo: migrated, and the demo feature served', async () => {
    const dataDir = path.join(folder, 'data');
    // A copy cut short before: files but no PG_VERSION (copied last), so the folder still counts as empty.
    mkdirSync(path.join(dataDir, 'base'), { recursive: true });
    writeFileSync(path.join(dataDir, 'base', 'half-copied'), 'x');
    const database = await openDatabase({ dataDir, pgliteTemplate: demoSnapshotFor(dataDir, template) });
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
