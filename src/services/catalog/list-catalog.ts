// GET /api/models: what this mirror holds and the caller may see, as a tree of models, source sets
// and sources with feature counts. Not a route of the real server: a mirror's users need a way to
// discover what was imported. UNLISTED things are readable by name but listed only to their owner.
import { isListedTo as isListed, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listModels } from '../../db/queries/models.js';
import { countFeaturesBySource } from '../../db/queries/neurons.js';
import { listSources, listSourceSets } from '../../db/queries/sources.js';

export async function listCatalog(db: Db, viewer: Viewer | null) {
  const [models, sourceSets, sources, counts] = await Promise.all([
    listModels(db),
    listSourceSets(db),
    listSources(db),
    countFeaturesBySource(db),
  ]);
  return models
    .filter((m) => isListed(m, viewer))
    .map((m) => ({
      ...m,
      sourceSets: sourceSets
        .filter((set) => set.modelId === m.id && isListed(set, viewer))
        .map((set) => {
          const setSources = sources
            .filter((s) => s.modelId === m.id && s.setName === set.name && isListed(s, viewer))
            .map((s) => ({ ...s, featureCount: counts.get(`${s.modelId}\u0000${s.id}`) ?? 0 }));
          return { ...set, featureCount: setSources.reduce((sum, s) => sum + s.featureCount, 0), sources: setSources };
        }),
    }));
}
