// Lists of features: create one with its features, rename it, annotate an entry. Only the owner
// (or an admin) changes a list; a list is readable by anyone with its id, as upstream.
import type { Db } from '../../db/client.js';
import { findList, insertList, insertListItems, updateList, updateListItemDescription } from '../../db/queries/lists.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';

export interface FeatureToList {
  modelId: string;
  layer: string;
  index: string;
  description: string | null;
}

/** The list, when the viewer may change it; 404 or 403 otherwise (upstream's assertUserOwnsList). */
export async function ownedList(db: Db, listId: string, viewer: Viewer) {
  const found = await findList(db, listId);
  if (!found) throw new NotFound('List not found.');
  if (found.list.userId !== viewer.id && !viewer.admin) throw new Forbidden('You do not own this list.');
  return found;
}

function requireName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new InvalidInput('List name is required');
  return trimmed;
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

/** POST /api/list/update: name, description and default test text, by the owner. */
export async function updateListMetadata(
  db: Db,
  viewer: Viewer,
  params: { listId: string; name: string; description: string | null; defaultTestText: string | null },
) {
  const name = requireName(params.name);
  const found = await ownedList(db, params.listId, viewer);
  const updated = await updateList(db, params.listId, {
    name,
    description: params.description ?? found.list.description,
    // Upstream turns an empty test text into null (no test text).
    defaultTestText: params.defaultTestText || null,
  });
  return updated!;
}

/** POST /api/list/edit-feature: the owner's note on one entry of the list. */
export async function editListFeature(
  db: Db,
  viewer: Viewer,
  params: { listId: string; modelId: string; layer: string; index: string; description: string },
) {
  await ownedList(db, params.listId, viewer);
  const row = await updateListItemDescription(db, params.listId, params.modelId, params.layer, params.index, params.description);
  if (!row) throw new NotFound(`Feature ${params.modelId}/${params.layer}/${params.index} is not in this list.`);
  return row;
}
