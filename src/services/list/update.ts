// POST /api/list/update: renames a list or changes its description (owner or admin).
import type { Db } from '../../db/client.js';
import { updateList } from '../../db/queries/lists.js';
import type { Viewer } from '../access/viewer.js';
import { requireName } from './list-name.js';
import { ownedList } from './owned-list.js';

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
