// POST /api/list/edit-feature: changes the note on one entry of a list (owner or admin).
import type { Db } from '../../db/client.js';
import { updateListItemDescription } from '../../db/queries/lists.js';
import { NotFound } from '../../errors.js';
import type { Viewer } from '../access/viewer.js';
import { ownedList } from './owned-list.js';

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
