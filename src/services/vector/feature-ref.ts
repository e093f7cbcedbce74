// The vector routes name a feature by `source` where the tables say `layer`.
import type { Static } from 'typebox';
import { type FeatureKey } from '../../db/queries/features.js';
import { normalizeIndex } from '../../schemas/common.js';
import type { FeatureRef } from '../../schemas/vector.js';

export type VectorRef = Static<typeof FeatureRef>;

export function vectorKey(ref: VectorRef): FeatureKey {
  return { modelId: ref.modelId, layer: ref.source, index: normalizeIndex(ref.index) };
}
