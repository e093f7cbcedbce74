// Part of `npm run build`: the pre-built demo database (dist/demo-data/) that a first start on an
// empty data folder copies in, made again only when a migration is newer than it.
import process from 'node:process';
import { buildDemoSnapshot, demoSnapshotIsStale, DEMO_SNAPSHOT_DIR } from '../dist/ingest/sample/demo-snapshot.js';

if (await demoSnapshotIsStale()) {
  const bytes = await buildDemoSnapshot();
  process.stdout.write(`built ${DEMO_SNAPSHOT_DIR} (${(bytes / 1e6).toFixed(1)} MB)\n`);
}
