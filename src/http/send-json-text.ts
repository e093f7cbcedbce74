import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReusableJson } from '../services/feature/feature-cache.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends JSON that is already serialized; Fastify passes strings through untouched. */
export function sendJsonText(reply: FastifyReply, body: string): FastifyReply {
  return (reply as FastifyReply).type(JSON_TYPE).send(body);
}

/** True when the client accepts gzip (and did not refuse it with `q=0`). */
export function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  if (!header) return false;
  return String(header)
    .split(',')
    .some((part) => {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
    });
}

/**
 * Sends a reusable body, gzipped once and reused when the client accepts gzip (the Python client
 * always does): compressing a large feature costs more than everything else in a cached read.
 */
export function sendReusableJson(request: FastifyRequest, reply: FastifyReply, entry: ReusableJson): FastifyReply {
  if (entry.body.length < 1024 || !acceptsGzip(request)) return (reply as FastifyReply).type(JSON_TYPE).send(entry.body);
  entry.gzip ??= gzipSync(entry.body);
  // @fastify/compress leaves a reply alone when it already has a Content-Encoding.
  return (reply as FastifyReply).type(JSON_TYPE).header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(entry.gzip);
}
