// The importer end to end: sample export → database → the feature API, idempotence, changed files,
// bad records, truncated gzip, plain and gzipped files, HTTP (S3-style listing) sources.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { count, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activation, explanation, importedFile, neuron } from '../../src/db/schema/index.js';
import { queryRows } from '../../src/db/client.js';
import { importExport, type Reject } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { buildTestApp, openTestDatabase, type TestContext } from '../helper.js';

const folders: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-import-test-'));
  folders.push(dir);
  return dir;
};
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function readJsonl(file: string): Record<string, unknown>[] {
  const text = file.endsWith('.gz') ? gunzipSync(fs.readFileSync(file)).toString('utf8') : fs.readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function counts(db: TestContext['database']['db']) {
  const [n] = await db.select({ n: count() }).from(neuron);
  const [a] = await db.select({ n: count() }).from(activation);
  const [e] = await db.select({ n: count() }).from(explanation);
  return { neurons: Number(n!.n), activations: Number(a!.n), explanations: Number(e!.n) };
}

describe('round trip through the feature API', () => {
  let ctx: TestContext;
  let root: string;
  beforeAll(async () => {
    ctx = await buildTestApp();
    root = tempDir();
    await writeSampleExport(root, {
      layers: [6, 7],
      featuresPerSource: 40,
      activationsPerFeature: 3,
      tokensPerActivation: 12,
      explanationsPerFeature: 2,
    });
  });
  afterAll(() => ctx?.close());

  it('imports everything, then the API returns exactly what the files held', async () => {
    const rejects: Reject[] = [];
    const summary = await importExport(ctx.database, { location: root, onReject: (r) => rejects.push(r) });
    expect(rejects).toEqual([]);
    expect(summary.files).toMatchObject({ imported: summary.files.total, failed: 0 });
    expect(await counts(ctx.database.db)).toEqual({ neurons: 80, activations: 240, explanations: 160 });
    // The tables that received rows have planner statistics (the embedded database has no autovacuum).
    const analyzed = await queryRows<{ tablename: string }>(
      ctx.database.db,
      sql`SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public' AND tablename IN ('Neuron', 'Activation', 'Explanation')`,
    );
    expect(analyzed.map((r) => r.tablename).sort()).toEqual(['Activation', 'Explanation', 'Neuron']);

    const dir = path.join(root, 'v1', 'gpt2-small', '7-res-jb');
    const feature = readJsonl(path.join(dir, 'features', 'batch-0.jsonl.gz')).find((f) => f.index === '13')!;
    const acts = readJsonl(path.join(dir, 'activations', 'batch-0.jsonl.gz')).filter((a) => a.index === '13');
    const exps = readJsonl(path.join(dir, 'explanations', 'batch-0.jsonl.gz')).filter((e) => e.index === '13');
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/7-res-jb/13' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    for (const key of [
      'maxActApprox',
      'frac_nonzero',
      'pos_str',
      'pos_values',
      'neg_str',
      'neg_values',
      'freq_hist_data_bar_heights',
      'topkCosSimIndices',
      'hookName',
      'sourceSetName',
    ]) {
      expect(body[key], key).toEqual(feature[key]);
    }
    expect(body.source.saelensConfig).toEqual({ d_sae: 24576, hook_name: 'blocks.7.hook_resid_pre' });
    expect(body.model.createdAt).toBe('2024-03-01T12:34:56.789Z');
    const sortedActs = [...acts].sort((a, b) => (b.maxValue as number) - (a.maxValue as number));
    expect(body.activations.map((a: Record<string, unknown>) => [a.id, a.tokens, a.values, a.maxValue])).toEqual(
      sortedActs.map((a) => [a.id, a.tokens, a.values, a.maxValue]),
    );
    expect(body.explanations.map((e: { description: string }) => e.description).sort()).toEqual(
      exps.map((e) => String(e.description).replace('\u0000', ' ')).sort(),
    );

    const [stored] = await queryRows<{ e: string }>(
      ctx.database.db,
      sql`SELECT "embedding"::text AS e FROM "Explanation" WHERE "id" = ${exps[0]!.id as string}`,
    );
    const embedding = JSON.parse(stored!.e) as number[];
    const exported = JSON.parse(exps[0]!.embedding as string) as number[];
    expect(embedding).toHaveLength(256);
    embedding.forEach((v, i) => expect(v).toBeCloseTo(exported[i]!, 5)); // vector() stores float4
  });

  it('is idempotent: a second run skips every file and changes nothing', async () => {
    const before = await counts(ctx.database.db);
    const again = await importExport(ctx.database, { location: root });
    expect(again.files).toMatchObject({ imported: 0, skipped: again.files.total, changed: 0 });
    expect(await counts(ctx.database.db)).toEqual(before);
    // Even with the bookkeeping gone, rows are not duplicated.
    await ctx.database.db.delete(importedFile);
    const redo = await importExport(ctx.database, { location: root });
    expect(redo.files.imported).toBe(redo.files.total);
    expect(Object.values(redo.tables).reduce((sum, t) => sum + t.inserted, 0)).toBe(0);
    expect(await counts(ctx.database.db)).toEqual(before);
  });

  it('reports a file that changed since it was imported instead of mixing it in', async () => {
    const file = path.join(root, 'v1', 'gpt2-small', '6-res-jb', 'source.jsonl');
    fs.appendFileSync(file, '\n');
    const summary = await importExport(ctx.database, { location: root });
    expect(summary.files.changed).toBe(1);
    expect(summary.changedFiles).toEqual(['v1/gpt2-small/6-res-jb/source.jsonl']);
  });

  it('filters by source and by explanations', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const summary = await importExport(database, { location: root, sources: ['6-res-jb'], explanations: 'no' });
      expect(Object.keys(summary.tables)).not.toContain('Explanation');
      expect(await counts(database.db)).toEqual({ neurons: 40, activations: 120, explanations: 0 });
      await importExport(database, { location: path.join(root, 'v1', 'gpt2-small', '6-res-jb'), explanations: 'only' });
      expect(await counts(database.db)).toEqual({ neurons: 40, activations: 120, explanations: 80 });
    } finally {
      await drop();
    }
  });
});

describe('bad data', () => {
  let database: TestContext['database'];
  let drop: () => Promise<void>;
  afterEach(async () => drop?.());

  it('rejects each bad record with file, line and reason, and imports the rest', async () => {
    ({ database, drop } = await openTestDatabase());
    const root = tempDir();
    await writeSampleExport(root, { featuresPerSource: 20, activationsPerFeature: 2, bad: true, plain: true });
    const rejects: Reject[] = [];
    const summary = await importExport(database, { location: root, onReject: (r) => rejects.push(r) });
    const where = (r: Reject) => `${r.file}:${r.line}`;
    expect(rejects.map(where).sort()).toEqual(
      [
        'v1/gpt2-small/6-res-jb/activations/batch-0.jsonl:41',
        'v1/gpt2-small/6-res-jb/activations/batch-0.jsonl:42',
        'v1/gpt2-small/6-res-jb/features/batch-0.jsonl:21',
        'v1/gpt2-small/6-res-jb/features/batch-0.jsonl:22',
        'v1/gpt2-small/6-res-jb/features/batch-0.jsonl:23',
      ].sort(),
    );
    const reasons = Object.fromEntries(rejects.map((r) => [where(r), r.reason]));
    expect(reasons['v1/gpt2-small/6-res-jb/features/batch-0.jsonl:21']).toMatch(/^malformed JSON/);
    expect(reasons['v1/gpt2-small/6-res-jb/features/batch-0.jsonl:22']).toBe(
      'maxActApprox: expected a finite number, got the string "very high"',
    );
    expect(reasons['v1/gpt2-small/6-res-jb/features/batch-0.jsonl:23']).toBe(
      'parent missing: source 6-no-such-set of model gpt2-small is not in the database',
    );
    expect(reasons['v1/gpt2-small/6-res-jb/activations/batch-0.jsonl:41']).toBe(
      'parent missing: feature gpt2-small/6-res-jb/88888888 is not in the database',
    );
    expect(reasons['v1/gpt2-small/6-res-jb/activations/batch-0.jsonl:42']).toBe('values: expected an array, got the string "oops"');
    expect(rejects.every((r) => r.raw.length > 0)).toBe(true);
    expect(summary.rejected).toBe(5);
    expect(summary.tables.Neuron).toEqual({ lines: 23, inserted: 20, rejected: 3 });
    expect(await counts(database.db)).toEqual({ neurons: 20, activations: 40, explanations: 20 });
    const recorded = await database.db
      .select()
      .from(importedFile)
      .where(sql`${importedFile.path} = 'v1/gpt2-small/6-res-jb/features/batch-0.jsonl'`);
    expect(recorded[0]).toMatchObject({ lines: 23, rowsInserted: 20, rejected: 3 });
  });

  it('stops when --max-errors is exceeded, keeping what was committed before', async () => {
    ({ database, drop } = await openTestDatabase());
    const root = tempDir();
    await writeSampleExport(root, { featuresPerSource: 20, activationsPerFeature: 2, bad: true });
    const summary = await importExport(database, { location: root, maxErrors: 2 });
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.rejected).toBe(3);
    // The features file was rolled back: no feature rows, the source files before it are kept.
    expect(await counts(database.db)).toEqual({ neurons: 0, activations: 0, explanations: 0 });
    expect((await database.db.select().from(importedFile)).map((f) => f.path)).toContain('v1/gpt2-small/6-res-jb/source.jsonl');
  });

  it('reports a truncated gzip file as failed, stores none of it, and goes on', async () => {
    ({ database, drop } = await openTestDatabase());
    const root = tempDir();
    await writeSampleExport(root, { featuresPerSource: 30, activationsPerFeature: 40, tokensPerActivation: 64 });
    const file = path.join(root, 'v1', 'gpt2-small', '6-res-jb', 'activations', 'batch-0.jsonl.gz');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const rejects: Reject[] = [];
    const summary = await importExport(database, { location: root, onReject: (r) => rejects.push(r) });
    expect(summary.files.failed).toBe(1);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.file).toBe('v1/gpt2-small/6-res-jb/activations/batch-0.jsonl.gz');
    expect(rejects[0]!.reason).toMatch(/^file not imported: .*(unexpected end|Unexpected end)/i);
    expect(await counts(database.db)).toEqual({ neurons: 30, activations: 0, explanations: 30 });
  });

  it('refuses a location that is not an export', async () => {
    ({ database, drop } = await openTestDatabase());
    await expect(importExport(database, { location: tempDir() })).rejects.toThrow(/no export files found/);
    await expect(importExport(database, { location: '/no/such/folder' })).rejects.toThrow(/is not a folder/);
  });
});

describe('HTTP source with an S3-style listing', () => {
  let server: http.Server;
  let baseUrl: string;
  let root: string;
  const requests: string[] = [];
  beforeAll(async () => {
    root = tempDir();
    await writeSampleExport(root, { layers: [6, 7], featuresPerSource: 15, activationsPerFeature: 2 });
    const files: string[] = [];
    const walk = (dir: string) =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : files.push(path.relative(root, path.join(dir, e.name)))));
    walk(root);
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      requests.push(url.pathname + url.search);
      if (url.pathname === '/bucket/' && url.searchParams.get('list-type') === '2') {
        // Pages of 4 keys, to exercise continuation tokens.
        const matching = files.filter((f) => f.startsWith(url.searchParams.get('prefix') ?? '')).sort();
        const start = Number(url.searchParams.get('continuation-token') ?? 0);
        const page = matching.slice(start, start + 4);
        const truncated = start + 4 < matching.length;
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><IsTruncated>${truncated}</IsTruncated>` +
            (truncated ? `<NextContinuationToken>${start + 4}</NextContinuationToken>` : '') +
            page
              .map(
                (key) =>
                  `<Contents><Key>${escape(key)}</Key><Size>${fs.statSync(path.join(root, key)).size}</Size><ETag>"etag-${escape(key)}"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>`,
              )
              .join('') +
            '</ListBucketResult>',
        );
        return;
      }
      const file = path.join(root, decodeURIComponent(url.pathname.replace(/^\/bucket\//, '')));
      if (!file.startsWith(root) || !fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200);
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/bucket`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("imports one source folder, with the bucket's config, through paged listings", async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const summary = await importExport(database, {
        location: `${baseUrl}/v1/gpt2-small/7-res-jb/`,
        network: { allowPrivateAddresses: true },
      });
      expect(summary.files.failed).toBe(0);
      expect(summary.tables.ExplanationType?.inserted).toBe(2);
      expect(await counts(database.db)).toEqual({ neurons: 15, activations: 30, explanations: 15 });
      expect(requests.some((r) => r.includes('continuation-token='))).toBe(true);
      expect(requests.some((r) => r.includes('prefix=v1%2Fconfig%2F'))).toBe(true);
      const again = await importExport(database, {
        location: `${baseUrl}/v1/gpt2-small/7-res-jb/`,
        network: { allowPrivateAddresses: true },
      });
      expect(again.files.skipped).toBe(again.files.total);
    } finally {
      await drop();
    }
  });

  it('says clearly when the URL has no v1 folder or the listing fails', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      await expect(importExport(database, { location: `${baseUrl}/elsewhere/` })).rejects.toThrow(
        /does not contain the export's v1\/ folder/,
      );
      await expect(importExport(database, { location: 'http://127.0.0.1:1/v1/' })).rejects.toThrow();
    } finally {
      await drop();
    }
  });
});
