// POST /api/list/remove: one feature out of one of the viewer's lists.
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { deleteListItem } from '../../db/queries/lists.js';
import { NotFound } from '../../errors.js';
import { normalizeIndex } from '../../schemas/common.js';
import type { RemoveFromListBody } from '../../schemas/list.js';
import type { Viewer } from '../access/viewer.js';
import { ownedList } from './owned-list.js';

/** The removed row. */
export async function removeFromList(db: Db, viewer: Viewer, body: Static<typeof RemoveFromListBody>) {
  await ownedList(db, body.listId, viewer);
  const removed = await deleteListItem(db, body.listId, body.modelId, body.layer, normalizeIndex(body.index));
  if (!removed) throw new NotFound('That feature is not in the list.');
  return removed;
}
