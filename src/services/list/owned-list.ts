// Lists are changed only by their owner (or an admin); anyone with a list's id may read it.
import type { Db } from '../../db/client.js';
import { findList } from '../../db/queries/lists.js';
import { Forbidden, NotFound } from '../../errors.js';
import type { Viewer } from '../access/viewer.js';

/** The list, when the viewer may change it; NotFound or Forbidden otherwise. */
export async function ownedList(db: Db, listId: string, viewer: Viewer) {
  const found = await findList(db, listId);
  if (!found) throw new NotFound('List not found.');
  if (found.list.userId !== viewer.id && !viewer.admin) throw new Forbidden('You do not own this list.');
  return found;
}
