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
  return { found: true, body: javaScriptJson(context.json, context.saelensConfig), guards };
}

// Postgres writes some numbers its own way: exponents for large and small magnitudes (double from
// 1e15, real from 1e6, both below 1e-4: `1e-05` where JavaScript writes 0.00001) and negative
// zero as `-0`. Everything else (text, booleans, other numbers, timestamps) it writes as JavaScript does. Either pattern (even inside a string)
// sends the text through one native parse and stringify, which gives the schema serializer's bytes.
const POSTGRES_ONLY_NUMBER = /\de[-+]\d|[:,[]-0[,\]}]/;
const CONFIG_KEY = '"saelensConfig":null';

/** The answer as the schema serializer writes it, from the query's text and the source's jsonb. */
function javaScriptJson(json: string, saelensConfig: string | null): string {
  // jsonb comes with spaces; the config is small, so it is compacted on its own.
  const config = saelensConfig === null ? 'null' : JSON.stringify(JSON.parse(saelensConfig));
  if (POSTGRES_ONLY_NUMBER.test(json)) {
    const feature = JSON.parse(json) as { source: { saelensConfig: unknown } };
    feature.source.saelensConfig = JSON.parse(config);
    return JSON.stringify(feature);
  }
  // An unescaped `"saelensConfig":` can only be a key, and the source is the first object holding one.
  const at = json.indexOf(CONFIG_KEY);
  return `${json.slice(0, at)}"saelensConfig":${config}${json.slice(at + CONFIG_KEY.length)}`;
}
