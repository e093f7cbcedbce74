// What every answer to a fuzzed request must be: under 500 (502/503/504 only from a route that
// calls a model service, with that service's code), JSON when it says so, an `{error, message,
// code}` body when it is an error, and a refusal when the request carried a value no route may
// store (NUL, a lone surrogate, a non-finite number).
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { FuzzCase } from './case-types.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

export interface Failure {
  route: string;
  mutation: string;
  target: string;
  auth: string;
  status: number;
  problem: string;
  excerpt: string;
  log?: string;
}

const SERVICE_CODES = new Set(['UPSTREAM_ERROR', 'SERVICE_NOT_CONFIGURED', 'UPSTREAM_TIMEOUT']);

export function decodeBody(answer: Answer): string {
  const encoding = String(answer.headers['content-encoding'] ?? '');
  const raw = answer.body;
  if (encoding === 'gzip') return gunzipSync(raw).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'deflate') return inflateSync(raw).toString('utf8');
  return raw.toString('utf8');
}

/** One line of the answer for the report: the body's start, control characters made visible. */
export function excerpt(text: string, length = 160): string {
  return JSON.stringify(text.slice(0, length)).slice(1, -1);
}

/** Problems with one answer; empty when it passes. */
export function judge(fuzz: FuzzCase, answer: Answer, options: { modelService: boolean; write: boolean }): string[] {
  const problems: string[] = [];
  const { status } = answer;
  const type = String(answer.headers['content-type'] ?? '');
  let text: string;
  try {
    text = decodeBody(answer);
  } catch (error) {
    return [`body cannot be decoded (${String(answer.headers['content-encoding'])}): ${(error as Error).message}`];
  }
  let body: unknown;
  let parsed = false;
  if (/json/i.test(type)) {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      problems.push(`says ${type} but the body is not JSON`);
    }
  }
  const code = parsed && body !== null && typeof body === 'object' ? (body as Record<string, unknown>).code : undefined;

  if (status >= 500) {
    const fromService = options.modelService && [502, 503, 504].includes(status) && typeof code === 'string' && SERVICE_CODES.has(code);
    if (!fromService) problems.push(`server error ${status}`);
  }
  if (status >= 400) {
    if (!/application\/json/i.test(type)) problems.push(`error answered as ${type || 'no content type'}, not JSON`);
    else if (parsed) {
      const fields = body as Record<string, unknown> | null;
      const missing = ['error', 'message', 'code'].filter((key) => typeof fields?.[key] !== 'string');
      if (missing.length > 0) problems.push(`error body lacks string ${missing.join(', ')}`);
    }
  }
  if (fuzz.mustReject && status < 400) problems.push(`accepted a ${fuzz.mustReject} value (${status})`);
  if (fuzz.field && options.write && status === 400 && parsed) {
    // "layerNumber", "layer number" and "body/layerNumber" all name it.
    const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
    const message = String((body as Record<string, unknown>).message ?? '');
    if (!squash(message).includes(squash(fuzz.field))) problems.push(`400 does not name the field "${fuzz.field}"`);
  }
  return problems;
}
