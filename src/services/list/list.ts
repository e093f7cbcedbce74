// POST /api/list/list: the viewer's own lists.
import type { Db } from '../../db/client.js';
import { listListsOf } from '../../db/queries/lists.js';
import type { Viewer } from '../access/viewer.js';

export function listOwnLists(db: Db, viewer: Viewer) {
  return listListsOf(db, viewer.id);
}
