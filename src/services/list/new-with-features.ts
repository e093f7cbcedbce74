// POST /api/list/new-with-features: a list created with its features in one call (SAELens).
import type { Db } from '../../db/client.js';
import { insertList, insertListItems } from '../../db/queries/lists.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { requireName } from './list-name.js';

export interface FeatureToList {
  modelId: string;
  layer: string;
  index: string;
  description: string | null;
}

/**
 * POST /api/list/new-with-features (SAELens's make_neuronpedia_list_with_features). As upstream,
 * features that do not exist or that the caller may not read are skipped, not refused; unlike
 * upstream we say which (`skippedFeatures`), so a typo in a source id does not go unnoticed.
 */
export async function createListWithFeatures(
  db: Db,
  viewer: Viewer,
  params: { name: string; description: string; testText: string | null; features: FeatureToList[] },
) {
  const name = requireName(params.name);
  const accepted: FeatureToList[] = [];
  const skipped: Array<{ modelId: string; layer: string; index: string }> = [];
  for (const feature of params.features) {
    if (await canReadFeature(db, feature, viewer)) accepted.push(feature);
    else skipped.push({ modelId: feature.modelId, layer: feature.layer, index: feature.index });
  }
  // One transaction: a list is never left half filled.
  const created = await db.transaction(async (tx) => {
    const row = await insertList(tx, viewer.id, name, params.description, params.testText);
    if (accepted.length > 0)
      await insertListItems(
        tx,
        accepted.map((f) => ({ ...f, listId: row.id, userId: viewer.id })),
      );
    return row;
  });
  return { list: created, skippedFeatures: skipped };
}
