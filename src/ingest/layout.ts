// Finds the files of an export in Neuronpedia's v1 layout, in a local folder or behind an HTTP(S)
// base URL (an S3 bucket listed with ListObjectsV2), and puts them in load order: config first, then
// per source its model, release, source set and source, then features, activations, explanations.
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { getExportText, type ExportRequestOptions } from './export-http.js';

export type FileKind = 'config' | 'model' | 'release' | 'sourceset' | 'source' | 'features' | 'activations' | 'explanations';

export interface ExportFile {
  /** Layout path, always from `v1/` (the key that records the file as imported). */
  key: string;
  /** Where to read it: an absolute local path or a URL. */
  location: string;
  kind: FileKind;
  /** The table its lines go to. */
  table: string;
  size: number;
  modifiedAt?: string;
  etag?: string;
  modelId?: string;
  sourceId?: string;
  /** N of batch-N, for ordering. */
  batch?: number;
}

const CONFIG_TABLES: Record<string, string> = {
  'explanation_type.jsonl': 'ExplanationType',
  'explanation_model_type.jsonl': 'ExplanationModelType',
  'explanation_score_model.jsonl': 'ExplanationScoreModel',
  'explanation_score_type.jsonl': 'ExplanationScoreType',
  'eval_type.jsonl': 'EvalType',
};
const SOURCE_FILES: Record<string, [FileKind, string]> = {
  'model.jsonl': ['model', 'Model'],
  'release.jsonl': ['release', 'SourceRelease'],
  'sourceset.jsonl': ['sourceset', 'SourceSet'],
  'source.jsonl': ['source', 'Source'],
};
const BATCH_DIRS: Record<string, [FileKind, string]> = {
  features: ['features', 'Neuron'],
  activations: ['activations', 'Activation'],
  explanations: ['explanations', 'Explanation'],
};
const KIND_ORDER: FileKind[] = ['model', 'release', 'sourceset', 'source', 'features', 'activations', 'explanations'];

interface ListedObject {
  key: string;
  location: string;
  size: number;
  modifiedAt?: string;
  etag?: string;
}

/** Classifies one object by its `v1/...` key; undefined for files the importer does not load. */
export function classify(object: ListedObject): ExportFile | undefined {
  const parts = object.key.split('/');
  if (parts[0] !== 'v1') return undefined;
  if (parts.length === 3 && parts[1] === 'config') {
    const table = CONFIG_TABLES[parts[2]!];
    return table ? { ...object, kind: 'config', table } : undefined;
  }
  const [, modelId, sourceId, third, fourth] = parts;
  if (parts.length === 4) {
    const known = SOURCE_FILES[third!];
    return known ? { ...object, kind: known[0], table: known[1], modelId, sourceId } : undefined;
  }
  if (parts.length === 5) {
    const known = BATCH_DIRS[third!];
    const match = /^batch-(\d+)\.jsonl(\.gz)?$/.exec(fourth!);
    return known && match ? { ...object, kind: known[0], table: known[1], modelId, sourceId, batch: Number(match[1]) } : undefined;
  }
  return undefined;
}

export interface LayoutFilter {
  models?: string[];
  sources?: string[];
  /** yes: everything; no: no explanation files; only: config and explanations only. */
  explanations?: 'yes' | 'no' | 'only';
  /** Skip explanation batches numbered below this (resume a large source's explanations; upstream's explanationBatchStart). */
  explanationBatchStart?: number;
}

export function selectAndOrder(files: ExportFile[], filter: LayoutFilter = {}): ExportFile[] {
  const explanations = filter.explanations ?? 'yes';
  const kept = files.filter((f) => {
    if (f.kind === 'config') return true;
    if (filter.models?.length && !filter.models.includes(f.modelId!)) return false;
    if (filter.sources?.length && !filter.sources.includes(f.sourceId!)) return false;
    if (explanations === 'no' && f.kind === 'explanations') return false;
    if (explanations === 'only' && f.kind !== 'explanations') return false;
    if (f.kind === 'explanations' && (f.batch ?? 0) < (filter.explanationBatchStart ?? 0)) return false;
    return true;
  });
  const configOrder = Object.values(CONFIG_TABLES);
  return kept.sort((a, b) => {
    if (a.kind === 'config' || b.kind === 'config') {
      if (a.kind !== b.kind) return a.kind === 'config' ? -1 : 1;
      return configOrder.indexOf(a.table) - configOrder.indexOf(b.table);
    }
    return (
      a.modelId!.localeCompare(b.modelId!) ||
      a.sourceId!.localeCompare(b.sourceId!, undefined, { numeric: true }) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.batch ?? 0) - (b.batch ?? 0)
    );
  });
}

export class LayoutError extends Error {}

const STAT_CONCURRENCY = 32;
const isFolder = (p: string) =>
  fs.promises.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
const exists = (p: string) =>
  fs.promises.access(p).then(
    () => true,
    () => false,
  );

/**
 * Lists a local folder: a `v1/` root (or its parent), a model folder, or a single source folder.
 * Asynchronous throughout, so the server keeps answering while a big export folder is walked.
 */
export async function listLocal(folder: string): Promise<ListedObject[]> {
  const start = path.resolve(folder);
  if (!(await isFolder(start))) throw new LayoutError(`${folder} is not a folder`);
  // Find the v1 root and the prefix inside it that `folder` names.
  let root: string;
  let prefix: string[];
  if (await exists(path.join(start, 'source.jsonl'))) {
    root = path.dirname(path.dirname(start));
    prefix = [path.basename(path.dirname(start)), path.basename(start)];
  } else if (await isFolder(path.join(start, 'v1'))) {
    root = path.join(start, 'v1');
    prefix = [];
  } else if (
    (await Promise.all((await fs.promises.readdir(start)).map((name) => exists(path.join(start, name, 'source.jsonl'))))).some(Boolean)
  ) {
    root = path.dirname(start);
    prefix = [path.basename(start)];
  } else {
    root = start;
    prefix = [];
  }
  const objects: ListedObject[] = [];
  const walk = async (dir: string, rel: string[]): Promise<void> => {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    const files = entries.filter((entry) => entry.isFile());
    // A few stats at a time: thousands at once come back in one burst that blocks the event loop too.
    for (let i = 0; i < files.length; i += STAT_CONCURRENCY) {
      await Promise.all(
        files.slice(i, i + STAT_CONCURRENCY).map(async (entry) => {
          const full = path.join(dir, entry.name);
          const stat = await fs.promises.stat(full);
          objects.push({
            key: ['v1', ...rel, entry.name].join('/'),
            location: full,
            size: stat.size,
            modifiedAt: stat.mtime.toISOString(),
          });
        }),
      );
    }
    for (const entry of entries) if (entry.isDirectory()) await walk(path.join(dir, entry.name), [...rel, entry.name]);
  };
  await walk(path.join(root, ...prefix), prefix);
  // A model or source folder still takes the config from its v1 root, when there is one.
  if (prefix.length > 0 && (await exists(path.join(root, 'config')))) await walk(path.join(root, 'config'), ['config']);
  return objects;
}

/** Lists an HTTP(S) export through S3's ListObjectsV2: the URL's path up to `v1/` is the bucket root. */
export async function listHttp(baseUrl: string, options: ExportRequestOptions = {}): Promise<ListedObject[]> {
  const url = URL.parse(baseUrl);
  if (!url) throw new LayoutError(`${baseUrl} is not a valid URL`);
  const at = url.pathname.indexOf('/v1');
  if (at < 0)
    throw new LayoutError(
      `${baseUrl} does not contain the export's v1/ folder (e.g. https://bucket.s3.amazonaws.com/v1/gpt2-small/6-res-jb/)`,
    );
  const root = `${url.origin}${url.pathname.slice(0, at)}/`;
  const prefix = url.pathname.slice(at + 1).replace(/\/?$/, '/');
  const prefixes = [prefix];
  if (prefix.split('/').filter(Boolean).length > 1) prefixes.push('v1/config/');
  const parser = new XMLParser({ isArray: (name) => name === 'Contents' });
  const objects: ListedObject[] = [];
  for (const listPrefix of prefixes) {
    let token: string | undefined;
    do {
      const listUrl = new URL(root);
      listUrl.searchParams.set('list-type', '2');
      listUrl.searchParams.set('prefix', listPrefix);
      if (token) listUrl.searchParams.set('continuation-token', token);
      const result = parser.parse(await getExportText(listUrl, options)).ListBucketResult;
      if (!result) throw new LayoutError(`listing ${listUrl} is not an S3 ListObjectsV2 answer`);
      for (const item of result.Contents ?? []) {
        const key = String(item.Key);
        objects.push({
          key,
          location: new URL(key.split('/').map(encodeURIComponent).join('/'), root).toString(),
          size: Number(item.Size),
          modifiedAt: item.LastModified,
          etag: item.ETag ? String(item.ETag) : undefined,
        });
      }
      token = String(result.IsTruncated) === 'true' ? String(result.NextContinuationToken) : undefined;
    } while (token);
  }
  return objects;
}

/** All loadable files of `location` (folder or URL), filtered and in load order. */
export async function discoverExport(location: string, filter: LayoutFilter = {}, http: ExportRequestOptions = {}): Promise<ExportFile[]> {
  const objects = /^https?:\/\//i.test(location) ? await listHttp(location, http) : await listLocal(location);
  const files = objects.map(classify).filter((f): f is ExportFile => f !== undefined);
  const selected = selectAndOrder(files, filter);
  if (!selected.some((f) => f.kind !== 'config'))
    throw new LayoutError(`no export files found at ${location}${filter.models || filter.sources ? ' matching the filters' : ''}`);
  return selected;
}
