// GET /api/admin/import: imports through the running server, streaming server-sent events in the
// real server's format; only from the server's own machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleExport } from '../../src/sample/sample-export.js';
import { buildTestApp, type TestContext } from '../helper.js';
import { userWithKey } from '../fixtures/users.js';

let ctx: TestContext;
let adminKey = '';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-admin-import-'));
beforeAll(async () => {
  ctx = await buildTestApp();
  adminKey = (await userWithKey(ctx.database.db, 'boss', true)).key;
  await writeSampleExport(root, { featuresPerSource: 12, activationsPerFeature: 2, bad: true });
});
afterAll(async () => {
  await ctx?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

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
    const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/import?location=${encodeURIComponent(root)}&sourceId=6-res-jb`, headers: { 'x-api-key': adminKey } });
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
    const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/import?location=${encodeURIComponent('/no/such/export')}`, headers: { 'x-api-key': adminKey } });
    const events = parseEvents(res.body);
    expect(events.at(-1)).toEqual({ event: 'error', data: { message: '/no/such/export is not a folder' } });
  });

  it('needs an admin key, even on the server\'s own machine', async () => {
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
    expect(missing.json().message).toBe('querystring/location is required');
  });
});
