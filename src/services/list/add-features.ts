// POST /api/list/add-features: features into one of the viewer's lists.
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { insertListItems } from '../../db/queries/lists.js';
import { NotFound } from '../../errors.js';
import { normalizeIndex } from '../../schemas/common.js';
import type { AddFeaturesBody } from '../../schemas/list.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { ownedList } from './owned-list.js';

/** The rows added. A feature the viewer may not read is answered as missing, so a private one does not show. */
export async function addFeaturesToList(db: Db, viewer: Viewer, body: Static<typeof AddFeaturesBody>) {
  await ownedList(db, body.listId, viewer);
  const items = body.featuresToAdd.map((f) => ({
    modelId: f.modelId,
    layer: f.layer,
    index: normalizeIndex(f.index),
    description: f.description ?? null,
    listId: body.listId,
    userId: viewer.id,
  }));
  for (const item of items) {
    if (!(await canReadFeature(db, item, viewer))) throw new NotFound(`Feature ${item.modelId}/${item.layer}/${item.index} not found.`);
  }
  return insertListItems(db, items);
}
