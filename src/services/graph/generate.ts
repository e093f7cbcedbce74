// graph/generate: upstream's flow with this mirror in S3's place. An upload URL of the mirror goes
// to the graph server as `signed_url`; the server computes the graph and PUTs it there; then the
// file is checked and saved as save-to-db does, under the model and slug that were asked for.
import type { Viewer } from '../access/viewer.js';
import type { Visibility } from '../../db/schema/enums.js';
import { DomainError, InvalidInput, NotConfigured, UpstreamFailed } from '../../errors.js';
import { findGraph, findPutRequest } from '../../db/queries/graphs.js';
import { findModel } from '../../db/queries/models.js';
import type { GraphServerClient } from '../../upstream/graph-server.js';
import { graphPageUrl, storageOf, type GraphDeps } from './deps.js';
import { ERROR_MODEL_DOES_NOT_EXIST, saveUploadedGraph } from './save.js';
import { createUploadUrl } from './uploads.js';

export const GRAPH_SERVER_NOT_CONFIGURED =
  'Graph generation is not configured on this mirror: set GRAPH_SERVER_URL to a Neuronpedia graph server (apps/graph).';

/** Upstream's model names on the graph server (GRAPH_MODEL_MAP); other ids are sent as they are. */
const GRAPH_MODEL_MAP: Record<string, string> = {
  'gemma-2-2b': 'google/gemma-2-2b',
  'gemma-3-4b-it': 'google/gemma-3-4b-it',
  'qwen3-4b': 'Qwen/Qwen3-4B',
  'qwen3-1.7b': 'Qwen/Qwen3-1.7B',
};
const GRAPH_BATCH_SIZE = 48;
const GRAPH_SLUG_MIN = 2;

export interface GenerateParams {
  prompt: string;
  modelId: string;
  sourceSetName?: string | null;
  slug?: string;
  maxNLogits: number;
  desiredLogitProb: number;
  nodeThreshold: number;
  edgeThreshold: number;
  maxFeatureNodes: number;
  visibility?: Visibility;
}

/** Upstream's slug for a prompt: special tokens and role names dropped, 16 safe characters, the time. */
export function slugFromPrompt(prompt: string, now = Date.now()): string {
  let text = prompt;
  for (let before = ''; text !== before;) {
    before = text;
    text = text.replace(/<[^>]*>|\n/g, '');
  }
  const base = text
    .replace(/user|assistant|system/g, '')
    .replace(/[^a-zA-Z0-9_-]/g, '')
    .substring(0, 16);
  return `${base}-${now}`.toLowerCase();
}

export async function generateGraph(
  deps: GraphDeps,
  server: GraphServerClient | undefined,
  params: { viewer: Viewer | null; ip: string; body: GenerateParams },
) {
  if (!server) throw new NotConfigured(GRAPH_SERVER_NOT_CONFIGURED);
  storageOf(deps);
  const body = params.body;
  const slug = !body.slug || body.slug.trim().length < GRAPH_SLUG_MIN ? slugFromPrompt(body.prompt) : body.slug;
  if (/[^a-zA-Z0-9_-]/.test(slug))
    throw new InvalidInput('Invalid scan or slug. They must be alphanumeric and contain only underscores and hyphens.');
  const model = await findModel(deps.db, body.modelId);
  if (!model) throw new InvalidInput(ERROR_MODEL_DOES_NOT_EXIST);
  if (await findGraph(deps.db, body.modelId, slug))
    throw new DomainError(
      'BAD_REQUEST',
      `The model ${body.modelId} already has a graph with slug/id ${slug}. Please choose a different slug/ID.`,
    );
  const upload = await createUploadUrl(deps, { viewer: params.viewer, ip: params.ip, filename: `${slug}.json`, contentLength: null });
  await server.generate({
    prompt: body.prompt,
    model_id: GRAPH_MODEL_MAP[body.modelId] ?? body.modelId,
    batch_size: GRAPH_BATCH_SIZE,
    max_n_logits: body.maxNLogits,
    desired_logit_prob: body.desiredLogitProb,
    node_threshold: body.nodeThreshold,
    edge_threshold: body.edgeThreshold,
    slug_identifier: slug,
    max_feature_nodes: body.maxFeatureNodes,
    signed_url: upload.url,
    user_id: params.viewer?.name ?? 'Anonymous (CT)',
    compress: true,
  });
  if ((await findPutRequest(deps.db, upload.putRequestId))?.state !== 'UPLOADED')
    throw new UpstreamFailed('The graph server answered success but did not upload the graph.');
  const saved = await saveUploadedGraph(deps, {
    viewer: params.viewer,
    putRequestId: upload.putRequestId,
    visibility: body.visibility,
    target: { modelId: body.modelId, slug, sourceSetName: body.sourceSetName ?? model.defaultGraphSourceSetName ?? null },
  });
  return {
    message: 'Graph saved to database',
    s3url: saved.graph.url,
    url: graphPageUrl(deps.publicUrl, body.modelId, slug),
    numNodes: saved.nodeCount,
    numLinks: saved.linkCount,
  };
}
