// Subgraphs: a user's saved view of a graph (pinned nodes, supernodes, labels). Only the owner
// overwrites or deletes one; a subgraph of a graph the caller cannot read answers "Graph not found".
import { canRead, type Viewer } from '../access/viewer.js';
import { Forbidden, NotFound } from '../../errors.js';
import { deleteSubgraph, findGraph, findSubgraph, insertSubgraph, listSubgraphsOf, updateSubgraph } from '../../db/queries/graphs.js';
import type { GraphDeps } from './deps.js';
import { GRAPH_NOT_FOUND } from './graphs.js';

export interface SubgraphFields {
  modelId: string;
  slug: string;
  displayName?: string | null;
  pinnedIds: string[];
  supernodes: string[][];
  clerps: unknown[];
  pruningThreshold?: number | null;
  densityThreshold?: number | null;
  overwriteId?: string;
}

async function readableGraphId(deps: GraphDeps, viewer: Viewer, modelId: string, slug: string): Promise<string> {
  const row = await findGraph(deps.db, modelId, slug);
  if (!row || !canRead({ visibility: row.graph.visibility, creatorId: row.graph.userId ?? '' }, viewer))
    throw new NotFound(GRAPH_NOT_FOUND);
  return row.graph.id;
}

export async function saveSubgraph(deps: GraphDeps, viewer: Viewer, fields: SubgraphFields): Promise<string> {
  const values = {
    pinnedIds: fields.pinnedIds,
    supernodes: fields.supernodes,
    clerps: fields.clerps,
    pruningThreshold: fields.pruningThreshold ?? null,
    densityThreshold: fields.densityThreshold ?? null,
  };
  if (fields.overwriteId) {
    const existing = await findSubgraph(deps.db, fields.overwriteId);
    if (existing?.userId !== viewer.id) throw new Forbidden('You are not authorized to overwrite this subgraph');
    // Upstream's overwrite keeps the display name and graph; only the view changes.
    await updateSubgraph(deps.db, fields.overwriteId, values);
    return fields.overwriteId;
  }
  const graphMetadataId = await readableGraphId(deps, viewer, fields.modelId, fields.slug);
  const row = await insertSubgraph(deps.db, { ...values, displayName: fields.displayName ?? null, graphMetadataId, userId: viewer.id });
  return row.id;
}

export async function listSubgraphs(deps: GraphDeps, viewer: Viewer, modelId: string, slug: string) {
  const row = await findGraph(deps.db, modelId, slug);
  // Upstream answers an empty list for a graph that does not exist; so does a hidden one here.
  if (!row || !canRead({ visibility: row.graph.visibility, creatorId: row.graph.userId ?? '' }, viewer)) return [];
  return listSubgraphsOf(deps.db, viewer.id, row.graph.id);
}

export async function deleteOwnedSubgraph(deps: GraphDeps, viewer: Viewer, subgraphId: string): Promise<void> {
  const subgraph = await findSubgraph(deps.db, subgraphId);
  if (!subgraph) throw new NotFound('Subgraph not found');
  if (subgraph.userId !== viewer.id) throw new Forbidden('You are not authorized to delete this subgraph');
  await deleteSubgraph(deps.db, subgraphId);
}
