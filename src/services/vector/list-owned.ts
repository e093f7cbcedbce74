// POST /api/vector/list-owned: the viewer's own vectors.
import type { Db } from '../../db/client.js';
import { listVectorsOf } from '../../db/queries/neurons.js';
import type { Viewer } from '../access/viewer.js';

export function listOwnedVectors(db: Db, viewer: Viewer) {
  return listVectorsOf(db, viewer.id);
}
