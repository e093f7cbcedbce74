// POST /api/model/new: a user's own model, to upload source sets and features into. Checks and
// messages as the real server's (with `path` naming the offending field).
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { findModel, insertModel } from '../../db/queries/models.js';
import { InvalidInput } from '../../errors.js';
import type { NewModelBody } from '../../schemas/model.js';
import type { Viewer } from '../access/viewer.js';

export async function createModel(db: Db, viewer: Viewer, body: Static<typeof NewModelBody>) {
  if (body.id.includes('--')) throw new InvalidInput('Name cannot contain double hyphens', { path: 'id' });
  if (body.id.includes('..')) throw new InvalidInput('Name cannot contain double periods', { path: 'id' });
  if (await findModel(db, body.id)) throw new InvalidInput('Model already exists', { path: 'id' });
  const now = new Date();
  return insertModel(db, {
    id: body.id,
    creatorId: viewer.id,
    layers: body.layers,
    displayName: body.displayName ?? body.id,
    displayNameShort: body.displayName ?? body.id,
    website: body.url ?? null,
    dimension: body.dimension ?? null,
    visibility: body.visibility ?? 'PRIVATE',
    neuronsPerLayer: 0,
    owner: 'custom',
    createdAt: now,
    updatedAt: now,
  });
}
