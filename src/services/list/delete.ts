// POST /api/list/delete: one of the viewer's lists, with its items.
import type { Db } from '../../db/client.js';
import { deleteList } from '../../db/queries/lists.js';
import type { Viewer } from '../access/viewer.js';
import { ownedList } from './owned-list.js';

export async function deleteOwnedList(db: Db, viewer: Viewer, listId: string): Promise<void> {
  await ownedList(db, listId, viewer);
  await deleteList(db, listId);
}
