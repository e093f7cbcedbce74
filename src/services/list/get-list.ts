// A list with its features (POST /api/list/get and the /list/{id} page). A list is readable by
// anyone with its id (as upstream); its features are shown only where the reader may see them.
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { findList, listItems } from '../../db/queries/lists.js';
import { NotFound } from '../../errors.js';
import { readFeatures } from '../feature/read-features.js';

export async function getList(db: Db, listId: string, viewer: Viewer | null) {
  const found = await findList(db, listId);
  if (!found) throw new NotFound('List not found.');
  const items = await listItems(db, found.list.id);
  // Each feature as the batch read gives it (top 3 activations), where the reader may see it.
  const features = await readFeatures(db, items, viewer, 3);
  const byKey = new Map(features.map((f) => [`${f.modelId}\u0000${f.layer}\u0000${f.index}`, f]));
  const neurons = items.flatMap((item) => {
    const neuron = byKey.get(`${item.modelId}\u0000${item.layer}\u0000${item.index}`);
    return neuron ? [{ ...item, neuron }] : [];
  });
  return { ...found.list, user: { name: found.userName }, activations: [], neurons };
}
