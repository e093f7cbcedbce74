// POST /api/activation/get: all activations of one feature, strongest first.
import type { Static } from 'typebox';
import type { Db } from '../../db/client.js';
import { listActivations } from '../../db/queries/activations.js';
import { NotFound } from '../../errors.js';
import type { GetActivationsBody } from '../../schemas/activation.js';
import { normalizeIndex } from '../../schemas/common.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';

/** NotFound (the real server's text) when there are none or the viewer may not read the source. */
export async function getActivations(db: Db, viewer: Viewer | null, body: Static<typeof GetActivationsBody>) {
  const key = { modelId: body.modelId, layer: body.source, index: normalizeIndex(body.index) };
  // Upstream checks no access here; a mirror with private data must.
  const activations = (await canReadFeature(db, key, viewer)) ? await listActivations(db, key) : [];
  if (activations.length === 0) throw new NotFound();
  return activations.map((a) => ({ ...a, source: a.layer }));
}
