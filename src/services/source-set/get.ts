// GET /api/source-set/{modelId}/{name}: a source set with its sources, release and model.
import type { Db } from '../../db/client.js';
import { findSourceSet, listSourcesOfSet } from '../../db/queries/sources.js';
import { NotFound } from '../../errors.js';
import { canRead, canReadAll, isListedTo, type Viewer } from '../access/viewer.js';

/** NotFound (the real server's text) for a set that is missing or not the viewer's to see. */
export async function getSourceSet(db: Db, viewer: Viewer | null, modelId: string, name: string) {
  const found = await findSourceSet(db, modelId, name);
  if (!found || !canReadAll([found.model, found.sourceSet], viewer)) {
    throw new NotFound();
  }
  const sources = await listSourcesOfSet(db, modelId, name);
  return {
    ...found.sourceSet,
    // As upstream: UNLISTED sources are listed only to their creator (and admins).
    sources: sources.filter((s) => isListedTo(s, viewer)),
    releases: found.release && canRead(found.release, viewer) ? found.release : null,
    model: found.model,
  };
}
