// POST /api/features: many features at once, as the real server's getNeurons answers: each Neuron
// row with its explanations (description, model, type) and its activations, strongest first.
// Features the viewer cannot read, or that do not exist, are left out; the rest keep request order.
import { readableSources, sourceKey } from '../access/readable-sources.js';
import { canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listActivationsForFeatures } from '../../db/queries/activations.js';
import { listExplanationSummaries } from '../../db/queries/explanations.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { findNeurons } from '../../db/queries/neurons.js';

const featureKey = (k: FeatureKey) => `${k.modelId}\u0000${k.layer}\u0000${k.index}`;

function groupBy<T extends FeatureKey>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = featureKey(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

export async function readFeatures(db: Db, requested: FeatureKey[], viewer: Viewer | null, maxActsToReturn?: number) {
  const readable = await readableSources(db, requested, viewer);
  const keys = [...new Map(requested.filter((k) => readable.has(sourceKey(k.modelId, k.layer))).map((k) => [featureKey(k), k])).values()];
  const [neurons, activations, explanations] = await Promise.all([
    findNeurons(db, keys),
    listActivationsForFeatures(db, keys, maxActsToReturn),
    listExplanationSummaries(db, keys),
  ]);
  const activationsByFeature = groupBy(activations);
  const explanationsByFeature = groupBy(explanations);
  const neuronsByKey = new Map(neurons.map((n) => [featureKey(n), n]));
  return keys.flatMap((key) => {
    const neuron = neuronsByKey.get(featureKey(key));
    if (!neuron || !canReadAll([featureGuard(neuron)], viewer)) return [];
    const id = featureKey(key);
    return [
      {
        ...neuron,
        explanations: (explanationsByFeature.get(id) ?? []).map((e) => ({ ...e, source: e.layer })),
        activations: (activationsByFeature.get(id) ?? []).map((a) => ({ ...a, source: a.layer })),
      },
    ];
  });
}
