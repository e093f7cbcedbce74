// POST /api/list/new: a list of features, owned by the viewer.
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { insertList } from '../../db/queries/lists.js';
import { InvalidInput } from '../../errors.js';
import type { NewListBody } from '../../schemas/list.js';
import type { Viewer } from '../access/viewer.js';

/** The new list with its owner's name; the route adds its URL. */
export async function createList(db: Db, viewer: Viewer, body: Static<typeof NewListBody>) {
  const name = body.name.trim();
  if (!name) throw new InvalidInput('Name must not be empty');
  const created = await insertList(db, viewer.id, name, body.description ?? '', body.testText ?? null);
  return { ...created, user: { name: viewer.name } };
}
