// Who is asking, and what they may read. Upstream's rule (lib/db/userCanAccess.ts): a model, source
// set or source is readable when PUBLIC or UNLISTED, by its creator, or by an admin. Anything else
// answers the same 404 as something that does not exist, so private data does not leak its existence.
import type { Visibility } from '../../db/schema/enums.js';

export interface Viewer {
  id: string;
  name: string;
  admin: boolean;
}

export interface Owned {
  visibility: Visibility;
  creatorId: string;
}

export function canRead(resource: Owned, viewer: Viewer | null): boolean {
  if (resource.visibility !== 'PRIVATE') return true;
  return viewer !== null && (viewer.admin || viewer.id === resource.creatorId);
}

/** True when every given resource is readable; missing (undefined) ones are skipped. */
export function canReadAll(resources: Array<Owned | undefined>, viewer: Viewer | null): boolean {
  return resources.every((resource) => resource === undefined || canRead(resource, viewer));
}

/** Listing is stricter than reading: UNLISTED things are readable by name but listed only to their creator and admins. */
export function isListedTo(resource: Owned, viewer: Viewer | null): boolean {
  if (resource.visibility === 'PUBLIC') return true;
  return viewer !== null && (viewer.admin || viewer.id === resource.creatorId);
}

/** A feature's own guard, when it has its own visibility (uploads); undefined when it inherits its source's. */
export function featureGuard(neuron: { visibility: Visibility | null; creatorId: string | null }): Owned | undefined {
  return neuron.visibility ? { visibility: neuron.visibility, creatorId: neuron.creatorId ?? '' } : undefined;
}
