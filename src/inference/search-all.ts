// Search by text (POST /api/search-all, and the docs page's /api/search): the inference server
// ranks every feature of a source set on the text, and each result is joined with its feature
// (top activation, explanations, model), as upstream's search-all route does. Features the caller
// may not read are left out; features too dense for the caller's threshold too.
import { inferenceModelName, readableSourceSet } from '../access/inference-access.js';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../db/client.js';
import { ApiError } from '../errors.js';
import { findNeurons } from '../db/queries/features.js';
import { readFeatures } from '../features/read-features.js';
import type { InferenceClient } from './client.js';

export const DEFAULT_NUM_RESULTS = 50;
export const MAX_NUM_RESULTS = 100;
/** -1 (or 0, as upstream reads `|| -1`) means no density filter. */
export const NO_DENSITY_THRESHOLD = -1;

export interface SearchAllRequest {
  modelId: string;
  sourceSet: string;
  text: string | string[];
  selectedLayers: string[];
  sortIndexes: number[];
  ignoreBos: boolean;
  densityThreshold: number;
  numResults: number;
}

interface InferenceFeature {
  source: string;
  index: number;
  values: number[];
  maxValue: number;
  maxValueIndex: number;
  sumValues?: number | null;
  dfaValues?: number[] | null;
  dfaTargetIndex?: number | null;
  dfaMaxValue?: number | null;
}
interface InferenceAllResult {
  activations: InferenceFeature[];
  tokens: string[];
}

/** Upstream's checks and messages, in its order. */
export function checkSearchAll(request: SearchAllRequest): void {
  if (request.text === '' || (Array.isArray(request.text) && request.text.length === 0)) throw new ApiError('BAD_REQUEST', 'Missing search text.');
  if (request.numResults < 1) throw new ApiError('BAD_REQUEST', 'numResults must be greater than 0.');
  if (request.numResults > MAX_NUM_RESULTS) throw new ApiError('BAD_REQUEST', 'numResults must be less than 100.');
  const threshold = request.densityThreshold;
  if (threshold !== NO_DENSITY_THRESHOLD && (threshold <= 0 || threshold >= 1)) throw new ApiError('BAD_REQUEST', 'densityThreshold must be between 0 and 1.');
}

const resultOf = (modelId: string, a: InferenceFeature) => ({
  modelId,
  layer: a.source,
  index: String(a.index),
  values: a.values,
  maxValue: a.maxValue,
  maxValueIndex: a.maxValueIndex,
  ...(a.dfaValues != null ? { dfaValues: a.dfaValues } : {}),
  ...(a.dfaTargetIndex != null ? { dfaTargetIndex: a.dfaTargetIndex } : {}),
  ...(a.dfaMaxValue != null ? { dfaMaxValue: a.dfaMaxValue } : {}),
});

export async function searchAll(db: Db, inference: InferenceClient, request: SearchAllRequest, viewer: Viewer | null, publicUrl: string) {
  checkSearchAll(request);
  const { model } = await readableSourceSet(db, request.modelId, request.sourceSet, viewer, publicUrl);
  const selectedLayers = [...request.selectedLayers].sort();
  const sortIndexes = [...request.sortIndexes].sort((a, b) => a - b);
  const common = {
    model: inferenceModelName(model),
    selectedSources: selectedLayers,
    sortByTokenIndexes: sortIndexes,
    sourceSet: request.sourceSet,
    ignoreBos: request.ignoreBos,
    numResults: request.numResults,
  };
  const target = { modelId: model.id, sourceSet: request.sourceSet };

  // Several texts: one batch call, no feature join (as upstream).
  if (Array.isArray(request.text)) {
    const batch = await inference.post<{ results: InferenceAllResult[] }>(target, '/v1/activation/all-batch', { prompts: request.text, ...common });
    return { results: batch.results.map((r) => ({ tokens: r.tokens, result: r.activations.map((a) => resultOf(model.id, a)), sortIndexes })) };
  }

  const found = await inference.post<InferenceAllResult>(target, '/v1/activation/all', { prompt: request.text, ...common });
  const keys = found.activations.map((a) => ({ modelId: model.id, layer: a.source, index: String(a.index) }));
  // One query per part for all results: the readable features, their top activation and explanations.
  const [neurons, existing] = await Promise.all([findNeurons(db, keys), readFeatures(db, keys, viewer, 1)]);
  const readable = new Map(existing.map((f) => [`${f.layer}\u0000${f.index}`, f]));
  const exists = new Set(neurons.map((f) => `${f.layer}\u0000${f.index}`));
  const result = found.activations.flatMap((a) => {
    const key = `${a.source}\u0000${a.index}`;
    const neuron = readable.get(key);
    // A feature that exists but is hidden from this caller is not found at all.
    if (!neuron) return exists.has(key) ? [] : [resultOf(model.id, a)];
    if (request.densityThreshold !== NO_DENSITY_THRESHOLD && (neuron.frac_nonzero ?? 0) > request.densityThreshold) return [];
    const positive = sortIndexes.length === 0 ? a.maxValue > 0 : (a.sumValues ?? 0) > 0;
    return positive ? [{ ...resultOf(model.id, a), neuron: { ...neuron, model } }] : [];
  });
  return { tokens: found.tokens, result, sortIndexes };
}
