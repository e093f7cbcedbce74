// POST /api/source-set/new: a source set of one of the viewer's models, with one source per layer,
// to upload features into. Checks and messages as the real server's.
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { findModel } from '../../db/queries/models.js';
import { findSourceSet, insertSourceSetWithSources, listSourcesOfSet } from '../../db/queries/sources.js';
import { InvalidInput } from '../../errors.js';
import type { NewSourceSetBody } from '../../schemas/source-set.js';
import { canRead, type Viewer } from '../access/viewer.js';

/** The new set as GET /api/source-set/{modelId}/{name} shows it (a new set has no release). */
export async function createSourceSet(db: Db, viewer: Viewer, body: Static<typeof NewSourceSetBody>) {
  const { name, modelId, description, url, visibility } = body;
  if (name === 'neurons') throw new InvalidInput('Name cannot be "neurons"', { path: 'name' });
  if (name.includes('--')) throw new InvalidInput('Name cannot contain double hyphens', { path: 'name' });
  const model = await findModel(db, modelId);
  if (!model || !canRead(model, viewer)) throw new InvalidInput('Model not found', { path: 'modelId' });
  if (await findSourceSet(db, modelId, name)) throw new InvalidInput('Source set name already exists for this model.', { path: 'name' });
  await insertSourceSetWithSources(
    db,
    {
      name,
      modelId,
      description: description ?? name,
      urls: [url ?? ''],
      visibility: visibility ?? 'PRIVATE',
      type: 'Custom',
      creatorName: viewer.name,
      creatorId: viewer.id,
      allowInferenceSearch: false,
    },
    model.layers,
  );
  const found = (await findSourceSet(db, modelId, name))!;
  return { ...found.sourceSet, sources: await listSourcesOfSet(db, modelId, name), releases: null, model: found.model };
}
