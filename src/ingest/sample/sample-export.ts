// Writes a small export in Neuronpedia's exact v1 layout: plain config/*.jsonl and per-source
// top-level files, gzipped JSONL batches of 1024 features, field names as the real exporter
// (utils/neuronpedia-utils/neuronpedia_utils/export-data.py) writes them, embeddings in pgvector's
// text form, unicode and odd tokens. Tests, benchmarks and the demo data all come from here.
import fs from 'node:fs';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

import { DEFAULT_CREATOR_ID } from '../../constants.js';

export const BOT_ID = DEFAULT_CREATOR_ID;
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

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'ĠThe',
  'Ġcat',
  ' sat',
  'Ġon',
  'Ġthe',
  'Ġmat',
  '.',
  '\n',
  '<|endoftext|>',
  'Ġcafé',
  'Ġ日本',
  '🙂',
  'Ġ"',
  '\\',
  '\t',
  'Ġ\u00e9t\u00e9',
  "ĠO'Brien",
  'Ġ—',
];

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

const iso = (d: Date) => d.toISOString().replace('Z', ''); // Python's isoformat() of a naive UTC datetime

export async function writeSampleExport(root: string, options: SampleExportOptions = {}): Promise<{ root: string; sources: string[] }> {
  const modelId = options.modelId ?? 'gpt2-small';
  const setName = options.setName ?? 'res-jb';
  const layers = options.layers ?? [6];
  const features = options.featuresPerSource ?? 300;
  const actsPer = options.activationsPerFeature ?? 5;
  const tokensPer = options.tokensPerActivation ?? 24;
  const explanationsPer = options.explanationsPerFeature ?? 1;
  const rand = random(options.seed ?? 42);
  const ext = options.plain ? '.jsonl' : '.jsonl.gz';
  const created = new Date('2024-03-01T12:34:56.789Z');
  const float = (scale = 1) => Math.round((rand() * 2 - 1) * scale * 1e6) / 1e6;

  const config = path.join(root, 'v1', 'config');
  await writeLines(
    path.join(config, 'explanation_type.jsonl'),
    [
      JSON.stringify({
        name: 'oai_token-act-pair',
        displayName: 'OpenAI Automated Interpretability',
        description: 'Token/activation pairs',
        featured: true,
        isAttention: false,
        explainerModelSettingsId: null,
        settings: null,
        url: null,
        creatorName: 'OpenAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
      JSON.stringify({
        name: 'eleuther_acts_top20',
        displayName: 'Eleuther Acts Top 20',
        description: 'Top 20 activating examples',
        featured: true,
        isAttention: false,
        explainerModelSettingsId: null,
        settings: null,
        url: null,
        creatorName: 'EleutherAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    ],
    false,
  );
  await writeLines(
    path.join(config, 'explanation_model_type.jsonl'),
    [
      JSON.stringify({
        name: 'gpt-4o-mini',
        displayName: 'GPT-4o mini',
        description: 'OpenAI',
        featured: true,
        openRouterModelId: 'openai/gpt-4o-mini',
        url: null,
        creatorName: 'OpenAI',
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    ],
    false,
  );
  await writeLines(
    path.join(config, 'explanation_score_type.jsonl'),
    [
      JSON.stringify({
        name: 'eleuther_fuzz',
        displayName: 'Fuzz',
        description: 'Fuzzing',
        featured: true,
        isAttention: false,
        scoreDescription: 'Balanced accuracy',
        scorerModel: null,
        settings: null,
        url: null,
        creatorName: 'EleutherAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    ],
    false,
  );
  await writeLines(
    path.join(config, 'explanation_score_model.jsonl'),
    [
      JSON.stringify({
        name: 'gpt-4o-mini',
        displayName: 'GPT-4o mini',
        description: 'OpenAI',
        featured: true,
        openRouterModelId: null,
        url: null,
        creatorName: 'OpenAI',
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    ],
    false,
  );
  await writeLines(
    path.join(config, 'eval_type.jsonl'),
    [
      JSON.stringify({
        name: 'sae_bench',
        displayName: 'SAE Bench',
        description: 'Evaluations',
        longerDescription: '',
        outputSchema: { type: 'object' },
        featured: false,
        url: null,
        createdAt: iso(created),
        updatedAt: iso(created),
      }),
    ],
    false,
  );

  const sources: string[] = [];
  for (const layer of layers) {
    const sourceId = `${layer}-${setName}`;
    sources.push(sourceId);
    const dir = path.join(root, 'v1', modelId, sourceId);
    await writeLines(
      path.join(dir, 'model.jsonl'),
      [
        JSON.stringify({
          id: modelId,
          displayNameShort: 'GPT2-SM',
          displayName: 'GPT2-Small',
          creatorId: BOT_ID,
          tlensId: 'gpt2-small',
          openRouterId: null,
          dimension: 768,
          thinking: false,
          visibility: 'PUBLIC',
          defaultSourceSetName: setName,
          defaultSourceId: sourceId,
          defaultGraphSourceSetName: null,
          inferenceEnabled: true,
          instruct: false,
          layers: 12,
          neuronsPerLayer: 3072,
          createdAt: iso(created),
          owner: 'OpenAI',
          updatedAt: iso(created),
          website: 'https://openai.com',
        }),
      ],
      false,
    );
    await writeLines(
      path.join(dir, 'release.jsonl'),
      [
        JSON.stringify({
          name: `${modelId}-${setName}`,
          visibility: 'PUBLIC',
          isNewUi: false,
          featured: true,
          description: 'Residual stream SAEs',
          descriptionShort: null,
          urls: ['https://example.invalid/sae'],
          creatorEmail: null,
          creatorName: 'Joseph Bloom',
          creatorNameShort: 'JB',
          creatorId: BOT_ID,
          defaultSourceSetName: setName,
          defaultSourceId: sourceId,
          defaultUmapSourceIds: [],
          createdAt: iso(created),
        }),
      ],
      false,
    );
    await writeLines(
      path.join(dir, 'sourceset.jsonl'),
      [
        JSON.stringify({
          modelId,
          name: setName,
          hasDashboards: true,
          allowInferenceSearch: true,
          visibility: 'PUBLIC',
          description: 'Residual stream SAEs (Joseph Bloom)',
          type: 'sae',
          creatorName: 'Joseph Bloom',
          urls: [],
          creatorEmail: null,
          creatorId: BOT_ID,
          releaseName: `${modelId}-${setName}`,
          hasGraphs: false,
          graphEnabled: false,
          similarityMatrixEnabled: false,
          defaultOfModelId: null,
          defaultGraphModelId: null,
          defaultRange: 1,
          defaultShowBreaks: true,
          showDfa: false,
          showCorrelated: false,
          showHeadAttribution: false,
          showUmap: false,
          createdAt: iso(created),
        }),
      ],
      false,
    );
    await writeLines(
      path.join(dir, 'source.jsonl'),
      [
        JSON.stringify({
          id: sourceId,
          modelId,
          hasDashboards: true,
          inferenceEnabled: true,
          saelensConfig: { d_sae: 24576, hook_name: `blocks.${layer}.hook_resid_pre` },
          saelensRelease: 'gpt2-small-res-jb',
          saelensSaeId: `blocks.${layer}.hook_resid_pre`,
          hfRepoId: null,
          hfFolderId: null,
          visibility: 'PUBLIC',
          defaultOfModelId: null,
          setName,
          creatorId: BOT_ID,
          hasUmap: false,
          hasUmapLogSparsity: false,
          hasUmapClusters: false,
          num_prompts: 24576,
          num_tokens_in_prompt: 128,
          dataset: 'Skylion007/openwebtext',
          notes: null,
          cosSimMatchModelId: null,
          cosSimMatchSourceId: null,
          createdAt: iso(created),
        }),
      ],
      false,
    );

    // Features and explanations are batched in text order of index, activations by numeric range, as the exporter does.
    const byText = Array.from({ length: features }, (_, i) => String(i)).sort();
    for (let b = 0; b * BATCH < features; b++) {
      const indexes = byText.slice(b * BATCH, (b + 1) * BATCH);
      await writeLines(
        path.join(dir, 'features', `batch-${b}${ext}`),
        (function* () {
          for (const index of indexes) {
            yield JSON.stringify({
              modelId,
              layer: sourceId,
              index,
              maxActApprox: Math.abs(float(20)),
              creatorId: BOT_ID,
              frac_nonzero: Math.abs(float(0.01)),
              freq_hist_data_bar_heights: [1, 5, 3],
              freq_hist_data_bar_values: [-4.5, -3.5, -2.5],
              logits_hist_data_bar_heights: [2, 4],
              logits_hist_data_bar_values: [-0.5, 0.5],
              neuron_alignment_indices: [int(rand, 768)],
              neuron_alignment_l1: [float()],
              neuron_alignment_values: [float()],
              correlated_neurons_indices: [],
              correlated_neurons_l1: [],
              correlated_neurons_pearson: [],
              decoder_weights_dist: [],
              neg_str: [TOKENS[int(rand, TOKENS.length)], 'Ġnot'],
              neg_values: [float(), float()],
              pos_str: ['Ġcat', TOKENS[int(rand, TOKENS.length)]],
              pos_values: [float(), float()],
              sourceSetName: setName,
              topkCosSimIndices: [int(rand, features)],
              topkCosSimValues: [float()],
              vector: [],
              vectorLabel: null,
              hookName: `blocks.${layer}.hook_resid_pre`,
              vectorDefaultSteerStrength: 10,
              hasVector: false,
            });
          }
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
          for (const index of indexes) {
            for (let e = 0; e < explanationsPer; e++) {
              const embedding = Array.from({ length: 256 }, () => float());
              yield JSON.stringify({
                id: `exp-${sourceId}-${index}-${e}`,
                modelId,
                layer: sourceId,
                index,
                authorId: BOT_ID,
                description: e === 0 ? `words about ${TOKENS[int(rand, TOKENS.length)]} and "quotes"` : `another idea ${e}\u0000with a NUL`,
                embedding: e === 0 ? `[${embedding.join(',')}]` : null,
                typeName: 'oai_token-act-pair',
                explanationModelName: 'gpt-4o-mini',
                umap_x: 0,
                umap_y: 0,
                umap_cluster: 0,
                umap_log_feature_sparsity: 0,
              });
            }
          }
        })(),
        !options.plain,
      );
    }
    for (let b = 0; b * BATCH < features; b++) {
      await writeLines(
        path.join(dir, 'activations', `batch-${b}${ext}`),
        (function* () {
          for (let i = b * BATCH; i < Math.min(features, (b + 1) * BATCH); i++) {
            for (let a = 0; a < actsPer; a++) {
              const values = Array.from({ length: tokensPer }, () => Math.max(0, float(10)));
              const maxValue = Math.max(...values);
              yield JSON.stringify({
                id: `act-${sourceId}-${i}-${a}`,
                modelId,
                layer: sourceId,
                index: String(i),
                creatorId: BOT_ID,
                dataSource: 'Skylion007/openwebtext',
                tokens: Array.from({ length: tokensPer }, () => TOKENS[int(rand, TOKENS.length)]),
                maxValue,
                minValue: Math.min(...values),
                values,
                maxValueTokenIndex: values.indexOf(maxValue),
                dfaValues: [],
                dfaMaxValue: null,
                dfaTargetIndex: null,
                binContains: null,
                binMin: null,
                binMax: null,
              });
            }
          }
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

function int(rand: () => number, below: number): number {
  return Math.floor(rand() * below);
}
