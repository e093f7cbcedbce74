// The records of a sample export, one function per exported file kind, with the field names and
// order of the real exporter (utils/neuronpedia-utils/neuronpedia_utils/export-data.py).
import { DEFAULT_CREATOR_ID } from '../../constants.js';
import { mulberry32 } from '../../random.js';

export const BOT_ID = DEFAULT_CREATOR_ID;

/** Python's isoformat() of a naive UTC datetime. */
export const iso = (d: Date) => d.toISOString().replace('Z', '');

/** Deterministic pseudo-random numbers (mulberry32), and the draws the records need. */
export function randomSource(seed: number) {
  const next = mulberry32(seed);
  return {
    /** A float in (-scale, scale), rounded to 6 decimals. */
    float: (scale = 1) => Math.round((next() * 2 - 1) * scale * 1e6) / 1e6,
    int: (below: number) => Math.floor(next() * below),
    token: () => TOKENS[Math.floor(next() * TOKENS.length)]!,
  };
}

export type Random = ReturnType<typeof randomSource>;

/** Tokens with the odd cases real data has: GPT-2's Ġ, unicode, emoji, control characters, quotes. */
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

export interface SourceContext {
  modelId: string;
  setName: string;
  sourceId: string;
  layer: number;
  created: Date;
  /** The model's and release's default source (the first one): every source folder holds the same model and release rows, as a real export's do. */
  defaultSourceId: string;
}

/** A source folder's top-level files (model, release, sourceset, source): name → its one record. */
export function sourceRecords({ modelId, setName, sourceId, layer, created, defaultSourceId }: SourceContext): Record<string, object> {
  return {
    model: {
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
      defaultSourceId,
      defaultGraphSourceSetName: null,
      inferenceEnabled: true,
      instruct: false,
      layers: 12,
      neuronsPerLayer: 3072,
      createdAt: iso(created),
      owner: 'OpenAI',
      updatedAt: iso(created),
      website: 'https://openai.com',
    },
    release: {
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
      defaultSourceId,
      defaultUmapSourceIds: [],
      createdAt: iso(created),
    },
    sourceset: {
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
    },
    source: {
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
    },
  };
}

export function featureRecord({ modelId, setName, sourceId, layer }: SourceContext, index: string, features: number, r: Random) {
  return {
    modelId,
    layer: sourceId,
    index,
    maxActApprox: Math.abs(r.float(20)),
    creatorId: BOT_ID,
    frac_nonzero: Math.abs(r.float(0.01)),
    freq_hist_data_bar_heights: [1, 5, 3],
    freq_hist_data_bar_values: [-4.5, -3.5, -2.5],
    logits_hist_data_bar_heights: [2, 4],
    logits_hist_data_bar_values: [-0.5, 0.5],
    neuron_alignment_indices: [r.int(768)],
    neuron_alignment_l1: [r.float()],
    neuron_alignment_values: [r.float()],
    correlated_neurons_indices: [],
    correlated_neurons_l1: [],
    correlated_neurons_pearson: [],
    decoder_weights_dist: [],
    neg_str: [r.token(), 'Ġnot'],
    neg_values: [r.float(), r.float()],
    pos_str: ['Ġcat', r.token()],
    pos_values: [r.float(), r.float()],
    sourceSetName: setName,
    topkCosSimIndices: [r.int(features)],
    topkCosSimValues: [r.float()],
    vector: [],
    vectorLabel: null,
    hookName: `blocks.${layer}.hook_resid_pre`,
    vectorDefaultSteerStrength: 10,
    hasVector: false,
  };
}

export function explanationRecord({ modelId, sourceId }: SourceContext, index: string, e: number, r: Random) {
  const embedding = Array.from({ length: 256 }, () => r.float());
  return {
    id: `exp-${sourceId}-${index}-${e}`,
    modelId,
    layer: sourceId,
    index,
    authorId: BOT_ID,
    description: e === 0 ? `words about ${r.token()} and "quotes"` : `another idea ${e}\u0000with a NUL`,
    embedding: e === 0 ? `[${embedding.join(',')}]` : null,
    typeName: 'oai_token-act-pair',
    explanationModelName: 'gpt-4o-mini',
    umap_x: 0,
    umap_y: 0,
    umap_cluster: 0,
    umap_log_feature_sparsity: 0,
  };
}

export function activationRecord({ modelId, sourceId }: SourceContext, i: number, a: number, tokensPer: number, r: Random) {
  const values = Array.from({ length: tokensPer }, () => Math.max(0, r.float(10)));
  const maxValue = Math.max(...values);
  return {
    id: `act-${sourceId}-${i}-${a}`,
    modelId,
    layer: sourceId,
    index: String(i),
    creatorId: BOT_ID,
    dataSource: 'Skylion007/openwebtext',
    tokens: Array.from({ length: tokensPer }, () => r.token()),
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
  };
}
