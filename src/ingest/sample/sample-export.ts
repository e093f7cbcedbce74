// Writes a small export in Neuronpedia's exact v1 layout: plain config/*.jsonl and per-source
// top-level files, gzipped JSONL batches of 1024 features, field names as the real exporter
// (utils/neuronpedia-utils/neuronpedia_utils/export-data.py) writes them, embeddings in pgvector's
// text form, unicode and odd tokens. Tests, benchmarks and the demo data all come from here.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  activationRecord,
  BOT_ID,
  explanationRecord,
  featureRecord,
  randomSource,
  sourceRecords,
  type SourceContext,
} from './sample-records.js';
import { configRecords } from './sample-config.js';

export { BOT_ID };

/** Features per batch file, as the real exporter writes them. */
const BATCH = 1024;

export interface SampleExportOptions {
  modelId?: string;
  /** Source sets and layers: one source per (set, layer). */
  setName?: string;
  layers?: number[];
  featuresPerSource?: number;
  activationsPerFeature?: number;
  tokensPerActivation?: number;
  explanationsPerFeature?: number;
  /** Write batches as plain .jsonl instead of .jsonl.gz. */
  plain?: boolean;
  /** Add deliberately bad records (malformed JSON, wrong types, a feature of a missing source). */
  bad?: boolean;
  /** Seed for the pseudo-random values, so the same options write the same bytes. */
  seed?: number;
}

async function writeLines(file: string, lines: Iterable<string>, gzip: boolean): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const source = Readable.from(
    (function* () {
      for (const line of lines) yield line + '\n';
    })(),
  );
  if (gzip) await pipeline(source, createGzip({ level: 5 }), fs.createWriteStream(file));
  else await pipeline(source, fs.createWriteStream(file));
}

export async function writeSampleExport(root: string, options: SampleExportOptions = {}): Promise<{ root: string; sources: string[] }> {
  const modelId = options.modelId ?? 'gpt2-small';
  const setName = options.setName ?? 'res-jb';
  const layers = options.layers ?? [6];
  const features = options.featuresPerSource ?? 300;
  const actsPer = options.activationsPerFeature ?? 5;
  const tokensPer = options.tokensPerActivation ?? 24;
  const explanationsPer = options.explanationsPerFeature ?? 1;
  const r = randomSource(options.seed ?? 42);
  const ext = options.plain ? '.jsonl' : '.jsonl.gz';
  const created = new Date('2024-03-01T12:34:56.789Z');
  const json = (records: object[]) => records.map((record) => JSON.stringify(record));

  for (const [name, records] of Object.entries(configRecords(created)))
    await writeLines(path.join(root, 'v1', 'config', `${name}.jsonl`), json(records), false);

  const sources: string[] = [];
  for (const layer of layers) {
    const sourceId = `${layer}-${setName}`;
    sources.push(sourceId);
    const context: SourceContext = { modelId, setName, sourceId, layer, created, defaultSourceId: `${layers[0]}-${setName}` };
    const dir = path.join(root, 'v1', modelId, sourceId);
    for (const [name, record] of Object.entries(sourceRecords(context)))
      await writeLines(path.join(dir, `${name}.jsonl`), json([record]), false);

    // Features and explanations are batched in text order of index, activations by numeric range, as the exporter does.
    const byText = Array.from({ length: features }, (_, i) => String(i)).sort();
    for (let b = 0; b * BATCH < features; b++) {
      const indexes = byText.slice(b * BATCH, (b + 1) * BATCH);
      await writeLines(
        path.join(dir, 'features', `batch-${b}${ext}`),
        (function* () {
          for (const index of indexes) yield JSON.stringify(featureRecord(context, index, features, r));
          if (options.bad && b === 0) {
            yield '{"modelId": "gpt2-small", "layer": "' + sourceId + '", "index": "9999999", "maxActApprox": '; // truncated line: malformed JSON
            yield JSON.stringify({ modelId, layer: sourceId, index: '9999998', maxActApprox: 'very high', frac_nonzero: 0.1 }); // wrong type
            yield JSON.stringify({ modelId, layer: `${layer}-no-such-set`, index: '5', maxActApprox: 1, frac_nonzero: 0.1 }); // missing source
          }
        })(),
        !options.plain,
      );
      await writeLines(
        path.join(dir, 'explanations', `batch-${b}${ext}`),
        (function* () {
          for (const index of indexes)
            for (let e = 0; e < explanationsPer; e++) yield JSON.stringify(explanationRecord(context, index, e, r));
        })(),
        !options.plain,
      );
    }
    for (let b = 0; b * BATCH < features; b++) {
      await writeLines(
        path.join(dir, 'activations', `batch-${b}${ext}`),
        (function* () {
          for (let i = b * BATCH; i < Math.min(features, (b + 1) * BATCH); i++)
            for (let a = 0; a < actsPer; a++) yield JSON.stringify(activationRecord(context, i, a, tokensPer, r));
          if (options.bad && b === 0) {
            yield JSON.stringify({
              id: 'act-orphan',
              modelId,
              layer: sourceId,
              index: '88888888',
              creatorId: BOT_ID,
              tokens: ['a'],
              values: [1],
              maxValue: 1,
              minValue: 1,
              maxValueTokenIndex: 0,
            }); // feature missing
            yield JSON.stringify({
              id: 'act-bad-values',
              modelId,
              layer: sourceId,
              index: '0',
              creatorId: BOT_ID,
              tokens: ['a'],
              values: 'oops',
              maxValue: 1,
              minValue: 1,
              maxValueTokenIndex: 0,
            }); // wrong type
          }
        })(),
        !options.plain,
      );
    }
  }
  return { root: path.join(root, 'v1'), sources };
}
