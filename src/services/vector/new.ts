// POST /api/vector/new (and the docs page's /api/upload/vector): a steering vector, with the real
// server's checks and messages. Vectors are stored as double precision, so they read back
// bit-identical (the Python client compares ==).
import type { Static } from 'typebox';
import { DEFAULT_CREATOR_ID } from '../../constants.js';
import type { Db } from '../../db/client.js';
import { findModel } from '../../db/queries/models.js';
import { insertNeuron } from '../../db/queries/neurons.js';
import { ensureVectorSource } from '../../db/queries/sources.js';
import { InvalidInput } from '../../errors.js';
import type { NewVectorBody } from '../../schemas/vector.js';
import { canRead, type Viewer } from '../access/viewer.js';

const HOOK_SET_SUFFIX = { hook_resid_pre: 'resid-pre', hook_resid_post: 'resid-post' } as const;

/** The stored vector's row, in source `<layerNumber>-neuronpedia-resid-pre|post` under a new random index. */
export async function createVector(db: Db, viewer: Viewer, body: Static<typeof NewVectorBody>) {
  const model = await findModel(db, body.modelId);
  if (!model || !canRead(model, viewer)) throw new InvalidInput('Model not found');
  if (body.layerNumber >= model.layers) throw new InvalidInput("Layer number is greater than model's numLayers");
  if (body.vector.length !== model.dimension) throw new InvalidInput('Vector dimension does not match model dimension');
  const setName = `neuronpedia-${HOOK_SET_SUFFIX[body.hookType]}`;
  const sourceId = await ensureVectorSource(db, model.id, body.layerNumber, setName, DEFAULT_CREATOR_ID);
  // As upstream: a random index in [90000000, 180000000); try again on the rare collision.
  for (let attempt = 0; attempt < 5; attempt++) {
    const index = String(Math.floor(Math.random() * 90_000_000) + 90_000_000);
    const vector = await insertNeuron(db, {
      modelId: model.id,
      layer: sourceId,
      index,
      creatorId: viewer.id,
      maxActApprox: 0,
      hasVector: true,
      vector: body.vector,
      vectorLabel: body.vectorLabel,
      hookName: `blocks.${body.layerNumber}.${body.hookType}`,
      vectorDefaultSteerStrength: body.vectorDefaultSteerStrength ?? 10,
      visibility: body.visibility ?? 'PRIVATE',
    });
    if (vector) return vector;
  }
  throw new Error('could not find a free index for the vector');
}
