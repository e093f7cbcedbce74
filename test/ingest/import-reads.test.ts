// Finding 13: an import must not starve readers. PGlite runs one query at a time and a transaction
// holds it to the end, so an importer with one transaction per file held every feature read until
// the file was done. Here a feature is read over HTTP while the admin route imports a large
// activations file, and the read must answer while that file is still being imported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importExport } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { userWithKey } from '../fixtures/users.js';
import { buildTestApp, type TestContext } from '../helper.js';

let ctx: TestContext;
let base = '';
let adminKey = '';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-import-reads-'));
const ACTIVATIONS = 'v1/gpt2-small/7-res-jb/activations/batch-0.jsonl.gz';

beforeAll(async () => {
  ctx = await buildTestApp();
  adminKey = (await userWithKey(ctx.database.db, 'boss', true)).key;
  await writeSampleExport(root, {
    layers: [6, 7],
    featuresPerSource: 1000,
    activationsPerFeature: 16,
    tokensPerActivation: 8,
    explanationsPerFeature: 0,
  });
  // Source 6 is in already; source 7 is what the admin route will import.
  await importExport(ctx.database, { location: root, sources: ['6-res-jb'] });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

it('answers a feature read while an import is writing a file', { timeout: 120_000 }, async () => {
  const response = await fetch(`${base}/api/admin/import?location=${encodeURIComponent(root)}&sourceId=7-res-jb`, {
    headers: { 'x-api-key': adminKey },
  });
  expect(response.status).toBe(200);
  let read: Promise<{ status: number; ms: number }> | undefined;
  let answered = false;
  let framesAfterAnswer = 0; // progress frames of the activations file that came after the read answered
  let complete = false;
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    buffered += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const frame = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (frame.startsWith('event: complete')) complete = true;
      const data = /^data: (.+)$/m.exec(frame)?.[1];
      const text = data ? (JSON.parse(data).progressText as string | undefined) : undefined;
      if (!text?.includes(`Importing ${ACTIVATIONS}`)) continue;
      if (answered) framesAfterAnswer++;
      // The first batch of the activations file is in: read a feature of the source already imported.
      read ??= (async () => {
        const started = performance.now();
        const res = await fetch(`${base}/api/feature/gpt2-small/6-res-jb/5`);
        await res.arrayBuffer();
        answered = true;
        return { status: res.status, ms: performance.now() - started };
      })();
    }
  }
  expect(complete).toBe(true);
  expect(read).toBeDefined();
  const result = await read!;
  expect(result.status).toBe(200);
  // The import went on writing the same file after the read had its answer.
  expect(framesAfterAnswer).toBeGreaterThan(0);
});
