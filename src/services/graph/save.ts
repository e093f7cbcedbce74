// graph/save-to-db (and the end of graph/generate): reads the uploaded file back, checks it, and
// records its metadata, as upstream's route does after downloading the file from S3.
import type { Viewer } from '../access/viewer.js';
import type { Visibility } from '../../db/schema/enums.js';
import { InvalidInput, NotFound } from '../../errors.js';
import { findGraph, findPutRequest, type GraphRow, upsertGraph } from '../../db/queries/graphs.js';
import { findModel } from '../../db/queries/models.js';
import { graphJsonUrl, storageOf, type GraphDeps } from './deps.js';
import { readGraphFile } from './validate.js';

/** Upstream's code for a graph whose `scan` names no model here (ERROR_MODEL_DOES_NOT_EXIST). */
export const ERROR_MODEL_DOES_NOT_EXIST = 'ERR_MODEL_DOES_NOT_EXIST';
const SAFE_NAME = /^[a-zA-Z0-9_.-]+$/;

export interface SaveGraphParams {
  viewer: Viewer | null;
  putRequestId: string;
  visibility: Visibility | undefined;
  /** graph/generate: the model and slug asked for (the graph server writes its own `scan`). */
  target?: { modelId: string; slug: string; sourceSetName: string | null };
}

export async function saveUploadedGraph(
  deps: GraphDeps,
  params: SaveGraphParams,
): Promise<{ graph: GraphRow; nodeCount: number; linkCount: number }> {
  const storage = storageOf(deps);
  const upload = await findPutRequest(deps.db, params.putRequestId);
  // Another user's upload looks like none at all.
  if (!upload || (upload.userId ?? null) !== (params.viewer?.id ?? null)) throw new NotFound('Put request not found');
  if (upload.state !== 'UPLOADED')
    throw new InvalidInput(
      'The graph file has not been uploaded yet: PUT it to the url that graph/signed-put returned, then call save-to-db.',
    );
  const stream = await storage.get(upload.storageKey);
  if (!stream) throw new InvalidInput('The uploaded graph file is no longer in storage: upload it again.');
  const file = await readGraphFile(stream, upload.contentEncoding, upload.sizeBytes ?? 0, deps.publicUrl);
  const modelId = params.target?.modelId ?? file.scan;
  const slug = params.target?.slug ?? file.slug;
  if (!SAFE_NAME.test(modelId) || !SAFE_NAME.test(slug))
    throw new InvalidInput('Invalid scan or slug. They must be alphanumeric and contain only underscores, hyphens, and periods.');
  if (!(await findModel(deps.db, modelId))) throw new InvalidInput(ERROR_MODEL_DOES_NOT_EXIST);
  const existing = await findGraph(deps.db, modelId, slug);
  if (existing && existing.graph.userId !== (params.viewer?.id ?? null))
    throw new InvalidInput('This model already has this slug, and it was created by another user. Please use a different slug.');
  const graph = await upsertGraph(deps.db, {
    modelId,
    slug,
    userId: params.viewer?.id ?? null,
    sourceSetName: params.target?.sourceSetName ?? file.sourceSetName,
    titlePrefix: '',
    promptTokens: file.promptTokens,
    prompt: file.prompt,
    url: graphJsonUrl(deps.publicUrl, modelId, slug),
    isFeatured: false,
    visibility: params.visibility ?? existing?.graph.visibility ?? 'PUBLIC',
    storageKey: upload.storageKey,
    sizeBytes: upload.sizeBytes ?? 0,
    contentEncoding: upload.contentEncoding,
  });
  // A graph saved again under the same slug replaces its file: the old one would be orphaned.
  if (existing && existing.graph.storageKey !== upload.storageKey) await storage.delete(existing.graph.storageKey);
  return { graph, nodeCount: file.nodeCount, linkCount: file.linkCount };
}
