// Search by text (POST /api/search-all, and the docs page's /api/search): the inference server
// ranks every feature of a source set on the text, and each result is joined with its feature
// (top activation, explanations, model), as upstream's search-all route does. Features the caller
// may not read are left out; features too dense for the caller's threshold too.
import { MAX_NUM_RESULTS, NO_DENSITY_THRESHOLD } from '../../constants.js';
import type { Db } from '../../db/client.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { type FeatureJsonRow, listFeaturesJson } from '../../db/queries/features-json.js';
import { InvalidInput } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import { inferenceModelName, readableSourceSetWithSources } from '../access/inference-access.js';
import { canRead, canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { FeatureCache } from '../feature/feature-cache.js';

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
  if (request.text === '' || (Array.isArray(request.text) && request.text.length === 0)) throw new InvalidInput('Missing search text.');
  if (request.numResults < 1) throw new InvalidInput('numResults must be greater than 0.');
  if (request.numResults > MAX_NUM_RESULTS) throw new InvalidInput('numResults must be less than 100.');
  const threshold = request.densityThreshold;
  if (threshold !== NO_DENSITY_THRESHOLD && (threshold <= 0 || threshold >= 1))
    throw new InvalidInput('densityThreshold must be between 0 and 1.');
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

/** The features of these results, from the feature cache or else one query, by `layer\0index`. */
async function featuresOf(db: Db, cache: FeatureCache, modelId: string, results: InferenceFeature[]): Promise<Map<string, FeatureJsonRow>> {
  const features = new Map<string, FeatureJsonRow>();
  const missing: FeatureKey[] = [];
  for (const r of results) {
    const index = String(r.index);
    const cached = cache.getSearchFeature(modelId, r.source, index);
    if (cached) features.set(`${r.source}\u0000${index}`, cached);
    else missing.push({ modelId, layer: r.source, index });
  }
  for (const row of await listFeaturesJson(db, missing, 1)) {
    cache.setSearchFeature(modelId, row);
    features.set(`${row.layer}\u0000${row.index}`, row);
  }
  return features;
}

/**
 * The answer as JSON text: each result's feature comes from Postgres already serialized
 * (listFeaturesJson), or from the feature cache, and is spliced in unparsed; reading rows through
 * the driver and serializing them again cost several times as much (scripts/bench-inference.ts).
 */
export async function searchAll(
  db: Db,
  inference: InferenceClient,
  cache: FeatureCache,
  request: SearchAllRequest,
  viewer: Viewer | null,
): Promise<string> {
  checkSearchAll(request);
  const { model, sources } = await readableSourceSetWithSources(db, cache, request.modelId, request.sourceSet, viewer);
  const readableLayers = new Set(sources.filter((s) => canRead(s, viewer)).map((s) => s.id));
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
    const batch = await inference.post<{ results: InferenceAllResult[] }>(target, '/v1/activation/all-batch', {
      prompts: request.text,
      ...common,
    });
    return JSON.stringify({
      results: batch.results.map((r) => ({ tokens: r.tokens, result: r.activations.map((a) => resultOf(model.id, a)), sortIndexes })),
    });
  }

  const found = await inference.post<InferenceAllResult>(target, '/v1/activation/all', { prompt: request.text, ...common });
  const features = await featuresOf(db, cache, model.id, found.activations);
  const modelJson = JSON.stringify(model);
  const results = found.activations.flatMap((a) => {
    // Only the set's sources the caller may read: not a private source, nor one of another set.
    if (!readableLayers.has(a.source)) return [];
    const feature = features.get(`${a.source}\u0000${a.index}`);
    const result = JSON.stringify(resultOf(model.id, a));
    // A feature missing from the database is still a result, without its feature (as upstream).
    if (!feature) return [result];
    // A feature hidden from this caller is not found at all.
    if (!canReadAll([featureGuard(feature)], viewer)) return [];
    if (request.densityThreshold !== NO_DENSITY_THRESHOLD && feature.frac_nonzero > request.densityThreshold) return [];
    const positive = sortIndexes.length === 0 ? a.maxValue > 0 : (a.sumValues ?? 0) > 0;
    if (!positive) return [];
    const neuron = `${feature.neuron.slice(0, -1)},"explanations":${feature.explanations},"activations":${feature.activations},"model":${modelJson}}`;
    return [`${result.slice(0, -1)},"neuron":${neuron}}`];
  });
  return `{"tokens":${JSON.stringify(found.tokens)},"result":[${results.join(',')}],"sortIndexes":${JSON.stringify(sortIndexes)}}`;
}
