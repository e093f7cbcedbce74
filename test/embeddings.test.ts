// Explanations get embeddings on upload when an embedding service is configured, and later from
// `npm run embed-explanations` when it was not.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { buildAppOn, buildTestApp, openTestDatabase, type TestContext } from './helper.js';
import { fakeEmbedding, startEmbeddingsDouble, type EmbeddingsDouble } from './doubles/embeddings-server.js';
import { userWithKey } from './fixtures/users.js';

let double: EmbeddingsDouble;
beforeAll(async () => {
  double = await startEmbeddingsDouble();
});
afterAll(() => double?.close());

const feature = (index: number, text: string) => ({ index, activations: [{ tokens: ['a'], values: [1] }], explanations: [{ text }] });

/** A user with a model and a one-layer source set `0-set`; returns a POST helper with the user's key. */
async function prepare(ctx: TestContext, userName = 'alice', modelId = 'emb-model') {
  const user = await userWithKey(ctx.database.db, userName);
  const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: { 'x-api-key': user.key } });
  await post('/api/model/new', { id: modelId, layers: 1 });
  await post('/api/source-set/new', { name: 'set', modelId });
  return post;
}

/** Runs a script in a child process without blocking this one (the embeddings double lives here). */
function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env, cwd: path.resolve(import.meta.dirname, '..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function storedEmbeddings(ctx: TestContext) {
  const rows = await queryRows<{ description: string; e: string | null }>(
    ctx.database.db,
    sql`SELECT "description", "embedding"::text AS e FROM "Explanation" ORDER BY "description"`,
  );
  return rows.map((r) => [r.description, r.e === null ? null : (JSON.parse(r.e) as number[])] as const);
}

describe('with EMBEDDING_URL', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp({ EMBEDDING_URL: double.url, EMBEDDING_MODEL: 'text-embedding-3-large', EMBEDDING_API_KEY: 'sk-test' });
  });
  afterAll(() => ctx?.close());

  it('embeds uploaded explanations (256 dimensions, the configured model and key)', async () => {
    const post = await prepare(ctx);
    const res = await post('/api/feature/upload-batch', {
      modelId: 'emb-model',
      source: '0-set',
      features: [feature(0, 'dogs'), feature(1, 'cats')],
    });
    expect(res.statusCode).toBe(200);
    expect(double.requests.at(-1)).toEqual({
      model: 'text-embedding-3-large',
      input: ['dogs', 'cats'],
      dimensions: 256,
      authorization: 'Bearer sk-test',
    });
    const stored = await storedEmbeddings(ctx);
    expect(stored.map(([d]) => d)).toEqual(['cats', 'dogs']);
    for (const [description, embedding] of stored) {
      expect(embedding).toHaveLength(256);
      embedding!.forEach((v, i) => expect(v).toBeCloseTo(fakeEmbedding(description, 256)[i]!, 6));
    }
  });

  it('answers 502 and stores nothing when the embedding service fails', async () => {
    const post = await prepare(ctx, 'bob', 'bob-model');
    const before = (await storedEmbeddings(ctx)).length;
    double.failNext = 1;
    const failed = await post('/api/feature/upload-batch', { modelId: 'bob-model', source: '0-set', features: [feature(0, 'birds')] });
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(failed.json().error).toMatch(/^The embedding service is unavailable\. Please try again shortly\. \(HTTP 500/);
    expect((await storedEmbeddings(ctx)).length).toBe(before);
  });
});

describe('without an embedding service', () => {
  it('stores explanations without embeddings, and the command embeds them later', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-embed-'));
    const test = await openTestDatabase();
    let databaseUrl: string | undefined;
    if (test.url) {
      databaseUrl = test.url;
      await test.database.close();
    } else await test.drop();
    const open = async () => {
      const database = await openDatabase(databaseUrl ? { databaseUrl, dataDir: '' } : { dataDir });
      await runMigrations(database);
      return buildAppOn(database, () => database.close());
    };
    try {
      let ctx = await open();
      const post = await prepare(ctx);
      expect(
        (
          await post('/api/feature/upload-batch', {
            modelId: 'emb-model',
            source: '0-set',
            features: [feature(0, 'trees'), feature(1, 'rivers')],
          })
        ).statusCode,
      ).toBe(200);
      expect((await storedEmbeddings(ctx)).map(([, e]) => e)).toEqual([null, null]);
      await ctx.close();

      const env = { ...process.env, DATABASE_URL: databaseUrl ?? '', DATA_DIR: dataDir, EMBEDDING_URL: double.url };
      const run = await runScript(['scripts/embed-explanations.ts', '--batch', '1'], env);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('Embedded 2 explanations with text-embedding-3-large.');
      const again = await runScript(['scripts/embed-explanations.ts'], env);
      expect(again.stdout).toContain('Embedded 0 explanations');

      ctx = await open();
      const stored = await storedEmbeddings(ctx);
      await ctx.close();
      for (const [description, embedding] of stored)
        embedding!.forEach((v, i) => expect(v).toBeCloseTo(fakeEmbedding(description, 256)[i]!, 6));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (test.url) await test.drop().catch(() => {});
    }
  });
});
