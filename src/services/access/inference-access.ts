// Access checks before a request goes to an inference server: the model and the source set (or
// source) must be readable by the caller, else the real server's 404, so that nothing private is
// computed for, or revealed to, someone else.
import type { Db } from '../../db/client.js';
import { findSourceSet, findSourceSetWithSources, findSourcesWithParents } from '../../db/queries/sources.js';
import type { FeatureCache } from '../feature/feature-cache.js';
import { NotFound } from '../../errors.js';
import { cachedModel } from './cached-rows.js';
import { canRead, canReadAll, type Owned, type Viewer } from './viewer.js';

/** The model when the viewer may read it, else the real server's 404; through the feature cache when given. */
export async function readableModel(db: Db, modelId: string, viewer: Viewer | null, cache?: FeatureCache) {
  const model = await cachedModel(db, cache, modelId);
  if (!model || !canRead(model, viewer)) throw new NotFound();
  return model;
}

/** The set when the viewer may read it and its model, else the real server's 404. */
function readableOr404<T extends { model: Owned; sourceSet: Owned }>(found: T | undefined, viewer: Viewer | null): T {
  if (!found || !canReadAll([found.model, found.sourceSet], viewer)) throw new NotFound();
  return found;
}

export async function readableSourceSet(db: Db, modelId: string, setName: string, viewer: Viewer | null) {
  return readableOr404(await findSourceSet(db, modelId, setName), viewer);
}

/**
 * readableSourceSet with the set's sources, through the feature cache (catalog writes clear it),
 * for search-all: two queries saved on every search.
 */
export async function readableSourceSetWithSources(db: Db, cache: FeatureCache, modelId: string, setName: string, viewer: Viewer | null) {
  let found = cache.getSourceSet(modelId, setName);
  if (!found) {
    found = await findSourceSetWithSources(db, modelId, setName);
    if (found) cache.setSourceSet(found);
  }
  return readableOr404(found, viewer);
}

export async function readableSource(db: Db, modelId: string, sourceId: string, viewer: Viewer | null) {
  const [found] = await findSourcesWithParents(db, [{ modelId, layer: sourceId }]);
  if (!found || !canReadAll([found.model, found.sourceSet ?? undefined, found.source], viewer)) throw new NotFound();
  return found;
}

/** The name the inference server knows the model by (upstream: `Model.tlensId ?? modelId`). */
export const inferenceModelName = (model: { id: string; tlensId: string | null }) => model.tlensId || model.id;
