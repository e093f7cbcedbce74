// POST /api/search-topk-by-token: the strongest features of one source at every token of a text,
// from the inference server, each with its feature and newest machine explanation (upstream's
// route). Upstream's filters: special tokens out when ignoreBos, and features denser than the
// threshold out.
import { inferenceModelName, readableSource } from '../access/inference-access.js';
import { canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listLatestMachineExplanations } from '../../db/queries/explanations.js';
import { findNeurons } from '../../db/queries/neurons.js';
import { InvalidInput } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';

export interface TopkRequest {
  modelId: string;
  source: string;
  text: string | string[];
  numResults: number;
  ignoreBos: boolean;
  densityThreshold: number;
}

interface InferenceTopk {
  tokens: string[];
  results: Array<{
    tokenPosition: number;
    token: string;
    isSpecial: boolean;
    topFeatures: Array<{ featureIndex: number; activationValue: number }>;
  }>;
}

export async function searchTopkByToken(db: Db, inference: InferenceClient, request: TopkRequest, viewer: Viewer | null) {
  // Upstream reads `densityThreshold || -1`: 0 turns the filter off.
  const threshold = request.densityThreshold || -1;
  if (threshold !== -1 && (threshold <= 0 || threshold >= 1)) throw new InvalidInput('densityThreshold must be between 0 and 1.');
  if (request.text === '' || (Array.isArray(request.text) && request.text.length === 0)) throw new InvalidInput('Missing search text.');
  const { model, sourceSet } = await readableSource(db, request.modelId, request.source, viewer);
  const target = { modelId: model.id, sourceSet: sourceSet?.name };
  const common = { model: inferenceModelName(model), source: request.source, topK: request.numResults, ignoreBos: request.ignoreBos };
  const rowsOf = (r: InferenceTopk) =>
    r.results.map((p) => ({
      position: p.tokenPosition,
      token: p.token,
      isSpecial: p.isSpecial,
      topFeatures: p.topFeatures.map((f) => ({ activationValue: f.activationValue, featureIndex: f.featureIndex })),
    }));

  // Several texts: no feature join and no filters, as upstream.
  if (Array.isArray(request.text)) {
    const batch = await inference.post<{ results: InferenceTopk[] }>(target, '/v1/activation/topk-by-token-batch', {
      prompts: request.text,
      ...common,
    });
    return { results: batch.results.map((r) => ({ source: request.source, results: rowsOf(r) })) };
  }

  const found = await inference.post<InferenceTopk>(target, '/v1/activation/topk-by-token', { prompt: request.text, ...common });
  const indexes = [...new Set(found.results.flatMap((r) => r.topFeatures.map((f) => String(f.featureIndex))))];
  const keys = indexes.map((index) => ({ modelId: model.id, layer: request.source, index }));
  const [neurons, explanations] = await Promise.all([findNeurons(db, keys), listLatestMachineExplanations(db, keys)]);
  const explanationOf = new Map(explanations.map((e) => [e.index, e]));
  const features = new Map(neurons.map((n) => [n.index, n]));
  let results = rowsOf(found).map((row) => ({
    ...row,
    topFeatures: row.topFeatures.flatMap((f) => {
      const neuron = features.get(String(f.featureIndex));
      if (neuron && !canReadAll([featureGuard(neuron)], viewer)) return [];
      const explanation = explanationOf.get(String(f.featureIndex));
      return [{ ...f, ...(neuron ? { feature: { ...neuron, explanations: explanation ? [explanation] : [] } } : {}) }];
    }),
  }));
  if (request.ignoreBos) results = results.filter((r) => !r.isSpecial);
  if (threshold !== -1) {
    results = results.map((r) => ({
      ...r,
      topFeatures: r.topFeatures.filter(
        (f) => f.feature !== undefined && f.feature.frac_nonzero > 0 && f.feature.frac_nonzero <= threshold,
      ),
    }));
  }
  return { source: request.source, results };
}
