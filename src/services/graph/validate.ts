// Reads a stored graph file back and checks it as upstream's save-to-db does (its JSON schema's
// required parts: metadata with slug, scan, prompt_tokens and prompt; qParams; nodes; links), in one
// streaming pass (graph-scan.ts), decompressing on the way when the file was uploaded gzipped.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DomainError, InvalidInput } from '../../errors.js';
import { GraphSyntaxError, scanGraph, type GraphScan, type ValueKind } from './graph-scan.js';

export interface GraphMetadataFields {
  slug: string;
  scan: string;
  prompt: string;
  promptTokens: string[];
  sourceSetName: string | null;
  nodeCount: number;
  linkCount: number;
}

/** Upstream's answer for a file that is not a graph, with Ajv-style details. */
export function invalidGraph(publicUrl: string, details: string[]): DomainError {
  return new InvalidInput(`Invalid graph format. Use the validator to check your graph json: ${publicUrl}/graph/validator`, { details });
}

/** A gzip bomb costs time, not memory, but this many decompressed bytes per stored byte is not JSON. */
const MAX_EXPANSION = 64;

function decoded(stream: Readable, encoding: string | null, storedBytes: number): Readable {
  if (encoding !== 'gzip') return stream;
  const gunzip = createGunzip();
  let out = 0;
  const cap = Math.max(storedBytes, 1024) * MAX_EXPANSION;
  stream.on('error', (error) => gunzip.destroy(error));
  gunzip.on('data', (chunk: Buffer) => {
    out += chunk.length;
    if (out > cap) gunzip.destroy(new GraphSyntaxError(`decompresses to more than ${MAX_EXPANSION} times its size`));
  });
  return stream.pipe(gunzip);
}

const REQUIRED_ROOT: Array<[string, ValueKind]> = [
  ['metadata', 'object'],
  ['qParams', 'object'],
  ['nodes', 'array'],
  ['links', 'array'],
];

export async function readGraphFile(
  stream: Readable,
  encoding: string | null,
  storedBytes: number,
  publicUrl: string,
): Promise<GraphMetadataFields> {
  let scan: GraphScan;
  try {
    scan = await scanGraph(decoded(stream, encoding, storedBytes));
  } catch (error) {
    if (error instanceof GraphSyntaxError) throw invalidGraph(publicUrl, [`root: ${error.message}`]);
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw invalidGraph(publicUrl, ['root: the file is not valid gzip']);
    throw error;
  }
  const details: string[] = [];
  for (const [key, kind] of REQUIRED_ROOT) {
    const found = scan.keys.get(key);
    if (found === undefined) details.push(`root: must have required property '${key}'`);
    else if (found !== kind) details.push(`/${key}: must be ${kind}`);
  }
  const meta = scan.metadata ?? {};
  if (scan.metadata) {
    for (const key of ['slug', 'scan', 'prompt_tokens', 'prompt'])
      if (!(key in meta)) details.push(`/metadata: must have required property '${key}'`);
    for (const key of ['slug', 'scan', 'prompt'])
      if (key in meta && typeof meta[key] !== 'string') details.push(`/metadata/${key}: must be string`);
    const tokens = meta.prompt_tokens;
    if ('prompt_tokens' in meta && (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')))
      details.push('/metadata/prompt_tokens: must be array of strings');
  }
  if (details.length > 0) throw invalidGraph(publicUrl, details);
  const info = meta.info as { neuronpedia_source_set?: unknown } | undefined;
  const featureDetails = meta.feature_details as { neuronpedia_source_set?: unknown } | undefined;
  const set = info?.neuronpedia_source_set ?? featureDetails?.neuronpedia_source_set;
  return {
    slug: meta.slug as string,
    scan: meta.scan as string,
    prompt: meta.prompt as string,
    promptTokens: meta.prompt_tokens as string[],
    // Upstream keeps the part after the last '/' (e.g. "gemma-2-2b/gemmascope-transcoder-16k").
    sourceSetName: typeof set === 'string' && set !== '' ? set.split('/').pop()! : null,
    nodeCount: scan.nodeCount,
    linkCount: scan.linkCount,
  };
}
