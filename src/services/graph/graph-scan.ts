// Checks a graph file's shape in one streaming pass, without building it in memory: graph files
// are up to hundreds of MB, and upstream's way (parse it whole, then validate with Ajv) would hold
// all of it. A byte-level scanner tracks strings and brackets only, which runs at hundreds of MB/s;
// it records the root object's keys and the kind of each value, keeps the bytes of `metadata` (the
// one part the mirror stores) for JSON.parse, and counts the elements of `nodes` and `links`.
// It checks nesting and strings, not every token: a file that is balanced but has a bad number
// passes here (the viewer's own parser will refuse it), which is the price of not holding it whole.
import type { Readable } from 'node:stream';

export type ValueKind = 'object' | 'array' | 'string' | 'scalar';

export interface GraphScan {
  /** Root keys and the kind of their values, in file order. */
  keys: Map<string, ValueKind>;
  /** `metadata` parsed, when present and an object. */
  metadata: Record<string, unknown> | undefined;
  nodeCount: number;
  linkCount: number;
}

export class GraphSyntaxError extends Error {}

/** The metadata object is small (a prompt, its tokens, settings); more than this is not a graph. */
const METADATA_LIMIT = 16 * 1024 * 1024;
const MAX_DEPTH = 1024;
const [QUOTE, BACKSLASH, LBRACE, RBRACE, LBRACKET, RBRACKET, COMMA, COLON] = [34, 92, 123, 125, 91, 93, 44, 58];
const isSpace = (b: number) => b === 32 || b === 10 || b === 13 || b === 9;

/** Where the scanner is in the root object: before a key, in/after a key, before a value, after a value. */
type RootState = 'key' | 'colon' | 'value' | 'next';

export async function scanGraph(source: Readable): Promise<GraphScan> {
  const keys = new Map<string, ValueKind>();
  const stack: number[] = []; // open brackets, root included
  let inString = false;
  let escaped = false;
  let started = false;
  let done = false;
  let root: RootState = 'key';
  let keyBytes: number[] | undefined;
  let currentKey = '';
  let counting: 'nodes' | 'links' | undefined;
  let countedFirst = false;
  const counts = { nodes: 0, links: 0 };
  // The metadata value's bytes: whole chunks' tails while it is open, and the last piece.
  const metaChunks: Buffer[] = [];
  let capturing = false;
  let captureFrom = 0;
  let metaBytes = 0;

  for await (const chunk of source as AsyncIterable<Buffer>) {
    captureFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (keyBytes) {
            currentKey = Buffer.from(keyBytes).toString('utf8');
            keyBytes = undefined;
            root = 'colon';
          }
          continue;
        }
        if (keyBytes && keyBytes.length < 1024) keyBytes.push(b);
        continue;
      }
      if (isSpace(b)) continue;
      if (done) throw new GraphSyntaxError('unexpected data after the root object');
      if (!started) {
        if (b !== LBRACE) throw new GraphSyntaxError('the root is not a JSON object');
        started = true;
        stack.push(LBRACE);
        continue;
      }
      if (stack.length === 1) {
        // Between the root object's members.
        if (root === 'key') {
          if (b === QUOTE) {
            inString = true;
            keyBytes = [];
          } else if (b === RBRACE && keys.size === 0) done = true;
          else throw new GraphSyntaxError('expected a key in the root object');
          continue;
        }
        if (root === 'colon') {
          if (b !== COLON) throw new GraphSyntaxError(`expected ":" after the root key "${currentKey}"`);
          root = 'value';
          continue;
        }
        if (root === 'next') {
          if (b === COMMA) root = 'key';
          else if (b === RBRACE) done = true;
          else if (!keys.has(currentKey) || keys.get(currentKey) !== 'scalar')
            throw new GraphSyntaxError('expected "," or "}" in the root object');
          continue;
        }
        // root === 'value': the first byte of a member's value.
        const kind: ValueKind = b === LBRACE ? 'object' : b === LBRACKET ? 'array' : b === QUOTE ? 'string' : 'scalar';
        keys.set(currentKey, kind);
        root = 'next';
        if (kind === 'scalar') continue;
        if (kind === 'string') {
          inString = true;
          continue;
        }
        stack.push(b);
        if (currentKey === 'metadata' && kind === 'object') {
          capturing = true;
          captureFrom = i;
        }
        if ((currentKey === 'nodes' || currentKey === 'links') && kind === 'array') {
          counting = currentKey;
          countedFirst = false;
        }
        continue;
      }
      // Inside a root value.
      if (counting && stack.length === 2) {
        // Directly inside nodes/links: each element after the first follows a comma.
        if (b === COMMA) counts[counting]++;
        else if (b !== RBRACKET && !countedFirst) {
          countedFirst = true;
          counts[counting]++;
        }
      }
      if (b === QUOTE) inString = true;
      else if (b === LBRACE || b === LBRACKET) {
        if (stack.length >= MAX_DEPTH) throw new GraphSyntaxError(`nesting deeper than ${MAX_DEPTH}`);
        stack.push(b);
      } else if (b === RBRACE || b === RBRACKET) {
        if (stack.pop() !== (b === RBRACE ? LBRACE : LBRACKET)) throw new GraphSyntaxError('mismatched brackets');
        if (stack.length === 1) {
          counting = undefined;
          if (capturing) {
            metaChunks.push(chunk.subarray(captureFrom, i + 1));
            capturing = false;
          }
        }
      }
    }
    if (capturing) {
      metaChunks.push(chunk.subarray(captureFrom));
      metaBytes += chunk.length - captureFrom;
      if (metaBytes > METADATA_LIMIT) throw new GraphSyntaxError(`metadata is larger than ${METADATA_LIMIT} bytes`);
    }
  }
  if (!started) throw new GraphSyntaxError('the file is empty');
  if (!done) throw new GraphSyntaxError('the file ends before the root object closes');
  let metadata: Record<string, unknown> | undefined;
  if (keys.get('metadata') === 'object') {
    try {
      metadata = JSON.parse(Buffer.concat(metaChunks).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new GraphSyntaxError(`metadata is not valid JSON: ${(error as Error).message}`);
    }
  }
  return { keys, metadata, nodeCount: counts.nodes, linkCount: counts.links };
}
