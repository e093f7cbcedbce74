// What the graph services need: the database, the file storage, the graph settings, and where
// this mirror is reached (upload URLs and JSON URLs point back at it).
import type { GraphSettings } from '../../config.js';
import type { Db } from '../../db/client.js';
import { NotConfigured } from '../../errors.js';
import type { BlobStorage } from '../../storage/index.js';

export interface GraphDeps {
  db: Db;
  storage: BlobStorage | undefined;
  settings: GraphSettings;
  publicUrl: string;
}

export const STORAGE_NOT_CONFIGURED =
  'Graph storage is not configured: set GRAPH_STORAGE_DIR (a folder) or GRAPH_S3_BUCKET (an S3-compatible bucket); the embedded database keeps graphs in DATA_DIR/graphs.';

export function storageOf(deps: GraphDeps): BlobStorage {
  if (!deps.storage) throw new NotConfigured(STORAGE_NOT_CONFIGURED);
  return deps.storage;
}

/** Upstream's page for a graph (makeGraphPublicAccessGraphUrl), on this mirror. */
export const graphPageUrl = (publicUrl: string, modelId: string, slug: string) =>
  `${publicUrl}/${modelId}/graph?slug=${encodeURIComponent(slug)}`;

/** Where this mirror serves a graph's JSON (upstream answers the S3 URL of the file). */
export const graphJsonUrl = (publicUrl: string, modelId: string, slug: string) =>
  `${publicUrl}/api/graph/json/${encodeURIComponent(modelId)}/${encodeURIComponent(slug)}`;
