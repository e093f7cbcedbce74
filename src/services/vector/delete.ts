// POST /api/vector/delete: one of the viewer's vectors (an admin may delete any).
import type { Db } from '../../db/client.js';
import { deleteNeuron, findNeuron } from '../../db/queries/neurons.js';
import { Forbidden, NotFound } from '../../errors.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { vectorKey, type VectorRef } from './feature-ref.js';

export async function deleteVector(db: Db, viewer: Viewer, ref: VectorRef): Promise<void> {
  const key = vectorKey(ref);
  // One the viewer may not read is answered as missing, so a private vector does not show.
  const neuron = (await canReadFeature(db, key, viewer)) ? await findNeuron(db, key.modelId, key.layer, key.index) : undefined;
  if (!neuron || !neuron.hasVector) throw new NotFound('Vector not found');
  if (neuron.creatorId !== viewer.id && !viewer.admin) throw new Forbidden('Only the creator of a vector can delete it.');
  await deleteNeuron(db, key.modelId, key.layer, key.index);
}
