// POST /api/activation/upload-batch: activations of one of the viewer's steering vectors.
import { createId } from '@paralleldrive/cuid2';
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { insertActivations } from '../../db/queries/activations.js';
import { findNeuron } from '../../db/queries/neurons.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors.js';
import type { ActivationUploadBody } from '../../schemas/activation.js';
import { normalizeIndex } from '../../schemas/common.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';

/** How many activations were stored. Only the vector's creator may add them. */
export async function uploadActivations(db: Db, viewer: Viewer, body: Static<typeof ActivationUploadBody>): Promise<number> {
  const { modelId, source: layer, activations } = body;
  const index = normalizeIndex(body.index);
  // One the viewer may not read is answered as missing, so a private vector does not show.
  const vector = (await canReadFeature(db, { modelId, layer, index }, viewer)) ? await findNeuron(db, modelId, layer, index) : undefined;
  if (!vector) throw new NotFound('Vector not found.');
  if (vector.creatorId !== viewer.id) throw new Forbidden('User is not the creator of the vector.');
  for (const a of activations) {
    if (a.tokens.length !== a.values.length) throw new InvalidInput('Activations tokens length does not match values length.');
  }
  return insertActivations(
    db,
    activations.map((a) => {
      const maxValue = Math.max(...a.values);
      return {
        id: createId(),
        tokens: a.tokens,
        values: a.values,
        modelId,
        layer,
        index,
        creatorId: viewer.id,
        maxValue,
        maxValueTokenIndex: a.values.indexOf(maxValue),
        minValue: Math.min(...a.values),
      };
    }),
  );
}
