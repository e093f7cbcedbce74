// npm run verify-engine's check on the tiny model: an export in the v1 layout whose activations the
// engine itself computed, imported by the real importer, agrees with the engine to float precision;
// one value changed in the export is found, with its feature and position.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSource, residualsAt } from '../../src/engine/api/common.js';
import { Registry } from '../../src/engine/registry.js';
import { importExport } from '../../src/ingest/import-export.js';
import { writeSampleExport } from '../../src/ingest/sample/sample-export.js';
import { formatVerifyReport, verifyEngine } from '../../src/services/engine/verify.js';
import { buildTestApp, type TestContext } from '../helper.js';
import { makeModelsDir } from './models-dir.js';

const TEXTS = ['The cat sat on the mat.', 'Dogs are loyal friends!', 'Rain falls in Spain', 'numbers: 1, 2, 3'];
let ctx: TestContext;
let models: ReturnType<typeof makeModelsDir>;
let root: string;

beforeAll(async () => {
  models = makeModelsDir();
  root = mkdtempSync(join(tmpdir(), 'verify-export-'));
  await writeSampleExport(root, {
    modelId: 'tiny-gpt2',
    setName: 'res-std',
    layers: [1],
    featuresPerSource: 6,
    activationsPerFeature: 2,
    explanationsPerFeature: 0,
    plain: true,
  });
  // Replace the sample's random activations with the engine's own, as an exporter would have written them.
  const registry = new Registry(models.dir);
  const loaded = await registry.model('tiny-gpt2');
  const sae = await registry.sae('tiny-gpt2', '1-res-std');
  const file = join(root, 'v1/tiny-gpt2/1-res-std/activations/batch-0.jsonl');
  const records = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  records.forEach((record, n) => {
    const ids = [loaded.tokenizer.bosTokenId, ...loaded.tokenizer.encode(TEXTS[n % TEXTS.length]!)];
    const acts = encodeSource(sae, residualsAt(loaded, ids, [sae.cfg.hookName]), ids.length);
    const values = ids.map((_, t) => acts[t * sae.cfg.dSae + Number(record.index)]!);
    if (record.index === '2' && n % 2 === 0) values[3]! += 0.05; // one value off in the export
    const maxValue = Math.max(...values);
    Object.assign(record, {
      tokens: loaded.tokenizer.tokenStrings(ids),
      values,
      maxValue,
      minValue: Math.min(...values),
      maxValueTokenIndex: values.indexOf(maxValue),
    });
  });
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  ctx = await buildTestApp();
  await importExport(ctx.database, { location: root });
});
afterAll(async () => {
  await ctx?.close();
  models?.remove();
  rmSync(root, { recursive: true, force: true });
});

describe('verify-engine', () => {
  it('recomputes the sampled activations and finds the one value the export changed', async () => {
    const opts = { modelId: 'tiny-gpt2', sourceId: '1-res-std', sample: 100, tolerance: 1e-4 };
    const report = await verifyEngine(ctx.database.db, new Registry(models.dir), opts);
    expect(report.rows).toBe(12);
    expect(report.skipped).toBe(0);
    expect(report.values).toBeGreaterThan(12 * 4);
    expect(report.withinTolerance).toBeCloseTo((report.values - 1) / report.values, 10);
    expect(report.maxAbsDiff).toBeCloseTo(0.05, 4);
    expect(report.worst).toMatchObject({ index: 2, position: 3 });
    expect(formatVerifyReport(opts, report)).toMatch(/12 of 12 sampled activations recomputed[\s\S]*largest: feature 2/);
  });

  it('samples the same rows every time, and says when a source has nothing imported', async () => {
    const opts = { modelId: 'tiny-gpt2', sourceId: '1-res-std', sample: 5, tolerance: 1e-4 };
    const a = await verifyEngine(ctx.database.db, new Registry(models.dir), opts);
    const b = await verifyEngine(ctx.database.db, new Registry(models.dir), opts);
    expect([a.rows, a.values, a.maxAbsDiff]).toEqual([b.rows, b.values, b.maxAbsDiff]);
    await expect(verifyEngine(ctx.database.db, new Registry(models.dir), { ...opts, sourceId: '3-res-std' })).rejects.toThrow(
      'No imported activations of tiny-gpt2/3-res-std to verify.',
    );
  });
});
