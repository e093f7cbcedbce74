// POST /api/list/get: a list with its features. A list is readable by anyone with its id (as
// upstream); its features are shown only where the reader may see them.
import type { Db } from '../../db/client.js';
import { findList, listItems } from '../../db/queries/lists.js';
import { NotFound } from '../../errors.js';
import type { Viewer } from '../access/viewer.js';
import { readFeatures } from '../feature/read-features.js';

const featureKey = (k: { modelId: string; layer: string; index: string }) => `${k.modelId}\u0000${k.layer}\u0000${k.index}`;

export async function getList(db: Db, viewer: Viewer | null, listId: string) {
  const found = await findList(db, listId);
  if (!found) throw new NotFound('List not found.');
  const items = await listItems(db, found.list.id);
  // Each feature as the batch read gives it (top 3 activations), where the reader may see it.
  const features = await readFeatures(db, items, viewer, 3);
  const byKey = new Map(features.map((f) => [featureKey(f), f]));
  const neurons = items.flatMap((item) => {
    const neuron = byKey.get(featureKey(item));
    return neuron ? [{ ...item, neuron }] : [];
  });
  return { ...found.list, user: { name: found.userName }, activations: [], neurons };
}
