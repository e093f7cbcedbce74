// Reading, listing and deleting graphs. Upstream has no private graphs; here a graph saved PRIVATE
// is seen only by its owner (and admins), and to anyone else it answers the same 404 as a missing one.
import type { Readable } from 'node:stream';
import { canRead, type Viewer } from '../access/viewer.js';
import { Forbidden, NotFound } from '../../errors.js';
import { deleteGraph, findGraph, type GraphRow, listGraphsOf } from '../../db/queries/graphs.js';
import { storageOf, type GraphDeps } from './deps.js';

export const GRAPH_NOT_FOUND = 'Graph not found';

/** Upstream's columns: where and how the file is stored is the mirror's business. */
function publicFields(graph: GraphRow) {
  const { storageKey: _key, sizeBytes: _size, contentEncoding: _encoding, ...rest } = graph;
  return rest;
}

async function readableGraph(deps: GraphDeps, viewer: Viewer | null, modelId: string, slug: string) {
  const row = await findGraph(deps.db, modelId, slug);
  if (!row || !canRead({ visibility: row.graph.visibility, creatorId: row.graph.userId ?? '' }, viewer))
    throw new NotFound(GRAPH_NOT_FOUND);
  return row;
}

/** GET graph/{modelId}/{slug}: the metadata with its owner's name and id, as upstream's `include: user`. */
export async function getGraph(deps: GraphDeps, params: { viewer: Viewer | null; modelId: string; slug: string }) {
  const { graph, userName } = await readableGraph(deps, params.viewer, params.modelId, params.slug);
  return { ...publicFields(graph), user: graph.userId ? { name: userName ?? '', id: graph.userId } : null };
}

export async function listOwnedGraphs(deps: GraphDeps, viewer: Viewer) {
  return (await listGraphsOf(deps.db, viewer.id)).map(publicFields);
}

/** The stored file as bytes, and how they are encoded (gzip when uploaded gzipped). */
export async function openGraphJson(
  deps: GraphDeps,
  params: { viewer: Viewer | null; modelId: string; slug: string },
): Promise<{ stream: Readable; contentEncoding: string | null; sizeBytes: number }> {
  const { graph } = await readableGraph(deps, params.viewer, params.modelId, params.slug);
  const stream = await storageOf(deps).get(graph.storageKey);
  if (!stream) throw new NotFound(GRAPH_NOT_FOUND);
  return { stream, contentEncoding: graph.contentEncoding, sizeBytes: graph.sizeBytes };
}

export async function deleteOwnedGraph(deps: GraphDeps, params: { viewer: Viewer; modelId: string; slug: string }) {
  const { graph } = await readableGraph(deps, params.viewer, params.modelId, params.slug);
  if (graph.userId !== params.viewer.id) throw new Forbidden('Unauthorized to delete this graph');
  // Storage first: a graph whose file is gone but whose row stays can be deleted again; the reverse would leak the file.
  await storageOf(deps).delete(graph.storageKey);
  await deleteGraph(deps.db, graph.id);
}
