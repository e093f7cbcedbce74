// Assembles GET /api/feature/{modelId}/{layer}/{index} as the real server answers it
// (getNeuronOptimized), plus `modelId`, `layer`, `source`, `index` on each activation and
// explanation row, which the official Python client reads.
import { canReadAll, featureGuard, type Owned, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listActivations } from '../../db/queries/activations.js';
import { listExplanationsWithScores } from '../../db/queries/explanations.js';
import { type FeatureKey, findFeatureContext } from '../../db/queries/features.js';
import { listsOfFeature } from '../../db/queries/lists.js';

export type FeatureReadResult =
  { found: true; feature: Record<string, unknown>; guards: Owned[] } | { found: false; reason: 'no-access' | 'no-feature' };

export async function readFeature(db: Db, key: FeatureKey, viewer: Viewer | null): Promise<FeatureReadResult> {
  const context = await findFeatureContext(db, key);
  if (!context) return { found: false, reason: 'no-access' };
  const guards: Owned[] = [context.model, context.sourceSet, context.source].filter((g): g is NonNullable<typeof g> => g !== undefined);
  if (!context.source || !canReadAll(guards, viewer)) return { found: false, reason: 'no-access' };
  if (!context.neuron) return { found: false, reason: 'no-feature' };
  const ownGuard = featureGuard(context.neuron);
  if (ownGuard) {
    if (!canReadAll([ownGuard], viewer)) return { found: false, reason: 'no-access' };
    guards.push(ownGuard);
  }

  const [activations, explanations, lists] = await Promise.all([
    listActivations(db, key),
    listExplanationsWithScores(db, key),
    listsOfFeature(db, key.modelId, key.layer, key.index),
  ]);
  const { neuron } = context;
  const feature = {
    ...neuron,
    // Upstream blanks these on the feature page: they are computed per request elsewhere.
    correlated_features_indices: [],
    correlated_features_pearson: [],
    correlated_features_l1: [],
    model: context.model,
    source: context.source,
    sourceSet: context.sourceSet ?? null,
    creator: context.creatorName === undefined ? null : { name: context.creatorName },
    lists,
    comments: [],
    activations: activations.map((a) => ({ ...a, source: a.layer })),
    explanations: explanations.map((e) => ({ ...e, modelId: key.modelId, layer: key.layer, source: key.layer, index: key.index })),
  };
  return { found: true, feature, guards: guards.map(({ visibility, creatorId }) => ({ visibility, creatorId })) };
}
