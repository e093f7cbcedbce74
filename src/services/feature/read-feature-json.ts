// GET /api/feature/{modelId}/{layer}/{index} as JSON text, from one query (db/queries/feature-json.ts)
// instead of readFeature's four: the same access rules and the same bytes as readFeature's object
// serialized by the route's response schema (test/feature-json.test.ts compares them).
import { canReadAll, featureGuard, type Owned, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { findFeatureJson } from '../../db/queries/feature-json.js';
import type { FeatureKey } from '../../db/queries/features.js';

export type FeatureJsonResult = { found: true; body: string; guards: Owned[] } | { found: false; reason: 'no-access' | 'no-feature' };

export async function readFeatureJson(db: Db, key: FeatureKey, viewer: Viewer | null): Promise<FeatureJsonResult> {
  const context = await findFeatureJson(db, key);
  if (!context) return { found: false, reason: 'no-access' };
  const guards = [context.model, context.sourceSet, context.source].filter((g): g is Owned => g !== undefined);
  if (!context.source || !canReadAll(guards, viewer)) return { found: false, reason: 'no-access' };
  if (!context.neuron || context.json === undefined) return { found: false, reason: 'no-feature' };
  const ownGuard = featureGuard(context.neuron);
  if (ownGuard) {
    if (!canReadAll([ownGuard], viewer)) return { found: false, reason: 'no-access' };
    guards.push(ownGuard);
  }
  // Postgres writes numbers its own way (1e-05 where JavaScript writes 0.00001) and jsonb with
  // spaces; one native parse and stringify gives exactly the bytes the schema serializer wrote,
  // at a fraction of the cost of the rows the four-query read turned into objects.
  return { found: true, body: JSON.stringify(JSON.parse(context.json)), guards };
}
