// POST /api/model/list, /api/model/get and /api/global: upstream's getGlobalModels,
// getModelByIdWithSourceSets and getGlobalSourceReleases, over the same catalog GET /api/models
// reads. One difference, kept from /api/models: UNLISTED models, sets and sources are listed only to
// their creator and admins (upstream lists UNLISTED models to everyone); they stay readable by name.
import type { Db } from '../../db/client.js';
import { listExplanationLookups } from '../../db/queries/explanation-types.js';
import { listModels } from '../../db/queries/models.js';
import { listSourceReleases, listSources, listSourceSets } from '../../db/queries/sources.js';
import { NotFound } from '../../errors.js';
import { canRead, isListedTo, type Viewer } from '../access/viewer.js';

type SourceRow = Awaited<ReturnType<typeof listSources>>[number];
type SourceSetRow = Awaited<ReturnType<typeof listSourceSets>>[number];

/** The source fields upstream selects for the global lists (not saelensConfig and the like). */
function sourceSummary(s: SourceRow) {
  return {
    id: s.id,
    modelId: s.modelId,
    visibility: s.visibility,
    setName: s.setName,
    hasUmap: s.hasUmap,
    hasUmapLogSparsity: s.hasUmapLogSparsity,
    hasUmapClusters: s.hasUmapClusters,
    num_prompts: s.num_prompts,
    num_tokens_in_prompt: s.num_tokens_in_prompt,
    dataset: s.dataset,
    inferenceEnabled: s.inferenceEnabled,
    hasDashboards: s.hasDashboards,
    notes: s.notes,
    createdAt: s.createdAt,
    cosSimMatchSourceId: s.cosSimMatchSourceId,
    cosSimMatchModelId: s.cosSimMatchModelId,
  };
}

function setsWithSources(sets: SourceSetRow[], sources: SourceRow[], viewer: Viewer | null) {
  return sets
    .filter((set) => set.hasDashboards && isListedTo(set, viewer))
    .map((set) => ({
      ...set,
      sources: sources
        .filter((s) => s.modelId === set.modelId && s.setName === set.name && s.hasDashboards && isListedTo(s, viewer))
        .map(sourceSummary),
    }));
}

/** POST /api/model/list: the models the viewer may list, with their source sets and sources. */
export async function globalModels(db: Db, viewer: Viewer | null) {
  const [models, sets, sources] = await Promise.all([listModels(db), listSourceSets(db), listSources(db)]);
  const listedSets = setsWithSources(sets, sources, viewer);
  return models.filter((m) => isListedTo(m, viewer)).map((m) => ({ ...m, sourceSets: listedSets.filter((set) => set.modelId === m.id) }));
}

/** POST /api/model/get {id}: one readable model with its readable source sets (by name) and their sources. */
export async function modelWithSourceSets(db: Db, id: string, viewer: Viewer | null) {
  const [models, sets, sources] = await Promise.all([listModels(db), listSourceSets(db), listSources(db)]);
  const found = models.find((m) => m.id === id);
  if (!found || !canRead(found, viewer)) throw new NotFound();
  return {
    ...found,
    sourceSets: sets
      .filter((set) => set.modelId === id && canRead(set, viewer))
      .map((set) => ({ ...set, sources: sources.filter((s) => s.modelId === id && s.setName === set.name && canRead(s, viewer)) })),
  };
}

/** POST /api/global: models, releases (with their sets and sources) and the explanation lookup tables. */
export async function globalCatalog(db: Db, viewer: Viewer | null) {
  const [models, releases, sets, sources, lookups] = await Promise.all([
    globalModels(db, viewer),
    listSourceReleases(db),
    listSourceSets(db),
    listSources(db),
    listExplanationLookups(db),
  ]);
  const listedSets = setsWithSources(sets, sources, viewer);
  return {
    models,
    explanationTypes: lookups.explanationTypes,
    explanationModels: lookups.explanationModels,
    releases: releases
      .filter((r) => isListedTo(r, viewer))
      .map((r) => ({ ...r, sourceSets: listedSets.filter((set) => set.releaseName === r.name) })),
    explanationScoreTypes: lookups.explanationScoreTypes,
    explanationScoreModelTypes: lookups.explanationScoreModelTypes,
  };
}
