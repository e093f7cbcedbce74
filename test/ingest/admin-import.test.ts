// GET /api/admin/import: imports through the running server, streaming server-sent events in the
// real server's format; admin key only. Over HTTP it must never hold the single import slot for
// good: silent hosts time out, a client that hangs up cancels, and private addresses are refused
// unless IMPORT_ALLOW_PRIVATE_ADDRESSES allows them (this app allows them, to reach its loopback bucket).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib, { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { buildAppOn, buildTestApp, type TestContext } from '../helper.js';
import { userWithKey } from '../fixtures/users.js';
import { startS3Double, type S3Double } from '../doubles/s3-server.js';

let ctx: TestContext;
let s3: S3Double;
let adminKey = '';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-admin-import-'));
// Listed by the bucket but served as an endless drip of blank lines: an import that reaches it never ends by itself.
const ENDLESS = 'v1/gpt2-small/6-res-jb/features/batch-99.jsonl';
beforeAll(async () => {
  ctx = await buildTestApp({ IMPORT_ALLOW_PRIVATE_ADDRESSES: 'true', IMPORT_CONNECT_TIMEOUT_MS: '500', IMPORT_IDLE_TIMEOUT_MS: '500' });
  adminKey = (await userWithKey(ctx.database.db, 'boss', true)).key;
  await writeSampleExport(root, { featuresPerSource: 12, activationsPerFeature: 2, bad: true });
  s3 = await startS3Double(root, { [ENDLESS]: 1000 });
  s3.behave.set(ENDLESS, 'endless');
});
afterAll(async () => {
  await ctx?.close();
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The app's address on a real socket (it listens once, for the tests that need one). */
async function serverAddress(): Promise<string> {
  if (!ctx.app.server.listening) return ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(ctx.app.server.address() as import('node:net').AddressInfo).port}`;
}

const importUrl = (location: string, extra = '') => `/api/admin/import?location=${encodeURIComponent(location)}${extra}`;

function parseEvents(body: string) {
  return body
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.+)$/m.exec(frame)![1]!);
      return { event, data };
    });
}

describe('GET /api/admin/import', () => {
  it('streams progress, rejects and a final summary, and the features become readable', async () => {
    const before = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/3' });
    expect(before.statusCode).toBe(404);
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/admin/import?location=${encodeURIComponent(root)}&sourceId=6-res-jb`,
      headers: { 'x-api-key': adminKey },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = parseEvents(res.body);
    const progress = events.filter((e) => e.event === 'message');
    expect(progress.length).toBeGreaterThan(3);
    for (const p of progress) {
      expect(typeof p.data.progressText).toBe('string');
      expect(p.data.progress).toBeGreaterThanOrEqual(0);
      expect(p.data.progress).toBeLessThanOrEqual(1);
    }
    expect(events.filter((e) => e.event === 'reject')).toHaveLength(5);
    const complete = events.at(-1)!;
    expect(complete.event).toBe('complete');
    expect(complete.data.tables.Neuron).toEqual({ lines: 15, inserted: 12, rejected: 3 });
    const after = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/3' });
    expect(after.statusCode).toBe(200);
    expect(after.json().activations).toHaveLength(2);
  });

  it('answers an error event for a location that is not an export', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/admin/import?location=${encodeURIComponent('/no/such/export')}`,
      headers: { 'x-api-key': adminKey },
    });
    const events = parseEvents(res.body);
    expect(events.at(-1)).toEqual({ event: 'error', data: { message: '/no/such/export is not a folder' } });
  });

  it("needs an admin key, even on the server's own machine", async () => {
    const url = `/api/admin/import?location=${encodeURIComponent(root)}`;
    const anonymous = await ctx.app.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(401);
    const user = await userWithKey(ctx.database.db, 'plain');
    const notAdmin = await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': user.key } });
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(notAdmin.json().error).toMatch(/^This endpoint requires authorization and admin access/);
    const remoteAdmin = await ctx.app.inject({ method: 'GET', url, remoteAddress: '10.1.2.3', headers: { 'x-api-key': adminKey } });
    expect(remoteAdmin.statusCode).toBe(200);
    expect(parseEvents(remoteAdmin.body).at(-1)!.event).toBe('complete');
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/admin/import', headers: { 'x-api-key': adminKey } });
    expect(missing.statusCode).toBe(400);
    // Without a location and no IMPORT_DEFAULT_LOCATION: a 400 that says how to fix it.
    expect(missing.json()).toMatchObject({ code: 'BAD_REQUEST' });
    expect(missing.json().message).toContain('IMPORT_DEFAULT_LOCATION');
  });

  it('gives up on a URL that never answers, and frees the import slot', async () => {
    s3.behave.set('list', 'hang');
    try {
      const started = performance.now();
      const res = await ctx.app.inject({ method: 'GET', url: importUrl(`${s3.url}/v1/`), headers: { 'x-api-key': adminKey } });
      expect(parseEvents(res.body).at(-1)).toEqual({
        event: 'error',
        data: { message: `GET ${s3.url}/ failed: no answer within 500 ms (IMPORT_IDLE_TIMEOUT_MS) (UND_ERR_HEADERS_TIMEOUT)` },
      });
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      s3.behave.delete('list');
    }
    const next = await ctx.app.inject({ method: 'GET', url: importUrl(root, '&sourceId=6-res-jb'), headers: { 'x-api-key': adminKey } });
    expect(next.statusCode).toBe(200);
    expect(parseEvents(next.body).at(-1)!.event).toBe('complete');
  });

  it('cancels the import when the client disconnects: the bucket sees its download closed, and the slot is free again', async () => {
    const address = await serverAddress();
    const client = http.get(`${address}${importUrl(`${s3.url}/v1/gpt2-small/6-res-jb/`)}`, { headers: { 'x-api-key': adminKey } });
    client.on('error', () => {}); // the reset we cause below
    await s3.waitRequest(ENDLESS);
    client.destroy();
    await s3.waitAbandoned(ENDLESS);
    expect(s3.abandoned).toContain(ENDLESS);
    // The import unwinds (rolls its file back) right after the download closes; then the slot is free.
    let next = await ctx.app.inject({ method: 'GET', url: importUrl(root), headers: { 'x-api-key': adminKey } });
    for (let i = 0; i < 50 && next.statusCode === 409; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      next = await ctx.app.inject({ method: 'GET', url: importUrl(root), headers: { 'x-api-key': adminKey } });
    }
    expect(next.statusCode).toBe(200);
    expect(parseEvents(next.body).at(-1)!.event).toBe('complete');
  });

  it(
    "sends a flood of rejects at the client's pace: memory stays flat while it does not read, /health answers, and it ends complete",
    { timeout: 120_000 },
    async () => {
      const LINES = 400_000;
      const flood = fs.mkdtempSync(path.join(os.tmpdir(), 'np-admin-flood-'));
      try {
        await writeSampleExport(flood, { modelId: 'flood-model', featuresPerSource: 2, activationsPerFeature: 1 });
        const batch = path.join(flood, 'v1/flood-model/6-res-jb/features/batch-0.jsonl.gz');
        fs.writeFileSync(batch, gzipSync(Buffer.from('{\n'.repeat(LINES))));
        const address = await serverAddress();
        const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
          http.get(`${address}${importUrl(flood)}`, { headers: { 'x-api-key': adminKey } }, resolve).on('error', reject),
        );
        // The client reads nothing for two seconds: the server must wait for it, not buffer the frames (without backpressure: +390 MB for a million).
        response.pause();
        const before = process.memoryUsage().rss;
        let peak = before;
        const healthTimes: number[] = [];
        for (let i = 0; i < 10; i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const started = performance.now();
          expect((await fetch(`${address}/health`)).status).toBe(200);
          healthTimes.push(performance.now() - started);
          peak = Math.max(peak, process.memoryUsage().rss);
        }
        expect(peak - before).toBeLessThan(64 * 1024 * 1024);
        expect(Math.max(...healthTimes)).toBeLessThan(1000);
        let rejects = 0;
        let tail = '';
        let last = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const text = tail + chunk;
          rejects += text.split('event: reject\n').length - 1;
          tail = text.slice(-32);
          rejects -= tail.split('event: reject\n').length - 1;
          last = (last + chunk).slice(-4096);
        });
        response.resume();
        await new Promise((resolve) => response.on('end', resolve));
        rejects += tail.split('event: reject\n').length - 1;
        const final = parseEvents(last.slice(last.lastIndexOf('event: complete')));
        expect(final).toEqual([expect.objectContaining({ event: 'complete' })]);
        // Every bad line, plus the activations and explanations of the features that never loaded.
        expect(final[0]!.data.tables.Neuron.rejected).toBe(LINES);
        expect(rejects).toBe(final[0]!.data.rejected);
      } finally {
        fs.rmSync(flood, { recursive: true, force: true });
      }
    },
  );

  it('refuses loopback and private export URLs unless IMPORT_ALLOW_PRIVATE_ADDRESSES allows them', async () => {
    const strict = await buildAppOn(ctx.database, async () => {}, {});
    try {
      const before = s3.requests.length;
      const res = await strict.app.inject({ method: 'GET', url: importUrl(`${s3.url}/v1/`), headers: { 'x-api-key': adminKey } });
      expect(parseEvents(res.body).at(-1)).toEqual({
        event: 'error',
        data: {
          message: `GET ${s3.url}/ failed: 127.0.0.1 is a loopback address, refused (set IMPORT_ALLOW_PRIVATE_ADDRESSES=true to import from your own network)`,
        },
      });
      expect(s3.requests.length).toBe(before);
    } finally {
      await strict.close();
    }
  });

  it("explanationBatchStart skips earlier explanation batches (upstream's 400 for a bad value); without location, IMPORT_DEFAULT_LOCATION", async () => {
    // An export of layer 9 whose explanations come in two batches: batch-1 holds one extra explanation.
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'np-admin-import-batches-'));
    await writeSampleExport(second, { layers: [9], featuresPerSource: 3, activationsPerFeature: 1 });
    const dir = path.join(second, 'v1', 'gpt2-small', '9-res-jb', 'explanations');
    const first = JSON.parse(
      zlib
        .gunzipSync(fs.readFileSync(path.join(dir, 'batch-0.jsonl.gz')))
        .toString()
        .split('\n')[0]!,
    );
    const extra = { ...first, id: 'exp-from-batch-1', description: 'only in batch one' };
    fs.writeFileSync(path.join(dir, 'batch-1.jsonl.gz'), gzipSync(JSON.stringify(extra) + '\n'));
    const withDefault = await buildAppOn(ctx.database, async () => {}, { IMPORT_DEFAULT_LOCATION: second });
    try {
      const get = (app: typeof ctx.app, url: string) => app.inject({ method: 'GET', url, headers: { 'x-api-key': adminKey } });
      const bad = await get(withDefault.app, '/api/admin/import?explanationBatchStart=-1');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toBe('explanationBatchStart must be a non-negative integer when specified');
      const noLocation = await get(ctx.app, '/api/admin/import?sourceId=9-res-jb');
      expect(noLocation.statusCode).toBe(400);
      expect(noLocation.json().message).toContain('IMPORT_DEFAULT_LOCATION');

      const res = await get(withDefault.app, '/api/admin/import?sourceId=9-res-jb&explanationBatchStart=1');
      expect(res.statusCode).toBe(200);
      const complete = parseEvents(res.body).at(-1)!;
      expect(complete.event).toBe('complete');
      expect(complete.data.tables.Explanation).toEqual({ lines: 1, inserted: 1, rejected: 0 });
      const feature = (await ctx.app.inject({ method: 'GET', url: `/api/feature/gpt2-small/9-res-jb/${first.index}` })).json();
      expect(feature.explanations.map((e: { id: string }) => e.id)).toEqual(['exp-from-batch-1']);
    } finally {
      await withDefault.close();
      fs.rmSync(second, { recursive: true, force: true });
    }
  });
});
