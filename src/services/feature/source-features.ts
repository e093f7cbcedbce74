// A source's features, a page at a time, with each one's top explanation (the source page).
// The source must be readable (else the real server's 404); features with their own visibility
// (uploads) are left out where the viewer may not read them.
import { readableSource } from '../access/inference-access.js';
import { canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listExplanationSummaries } from '../../db/queries/explanations.js';
import { countSourceFeatures, listSourceFeatures } from '../../db/queries/neurons.js';

export const FEATURES_PER_PAGE = 50;

export async function sourceFeaturePage(db: Db, modelId: string, sourceId: string, offset: number, viewer: Viewer | null) {
  const found = await readableSource(db, modelId, sourceId, viewer);
  const [rows, total] = await Promise.all([
    listSourceFeatures(db, modelId, sourceId, offset, FEATURES_PER_PAGE),
    countSourceFeatures(db, modelId, sourceId),
  ]);
  const features = rows.filter((r) => canReadAll([featureGuard(r)], viewer));
  const explanations = await listExplanationSummaries(db, features);
  // Summaries come best scored first: the first one seen per feature is its top explanation.
  const top = new Map<string, string>();
  for (const e of explanations) {
    const key = e.index;
    if (!top.has(key)) top.set(key, e.description);
  }
  return {
    model: found.model,
    source: found.source,
    sourceSet: found.sourceSet,
    total,
    offset,
    pageSize: FEATURES_PER_PAGE,
    features: features.map((f) => ({ ...f, topExplanation: top.get(f.index) ?? null })),
  };
}
