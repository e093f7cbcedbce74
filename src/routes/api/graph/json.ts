// GET /api/graph/json/{modelId}/{slug}: the graph's JSON file, streamed from storage (the `url` of
// its metadata; upstream links to the file in S3 instead). A file uploaded gzipped is sent as stored
// with Content-Encoding: gzip when the client accepts gzip, and decompressed on the way otherwise.
import { createGunzip } from 'node:zlib';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { GraphParams } from '../../../schemas/graph.js';
import { openGraphJson } from '../../../services/graph/graphs.js';
import { graphDeps } from './_deps.js';

/** True when Accept-Encoding names gzip (or *) without q=0. */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (name === 'gzip' || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/graph/json/:modelId/:slug',
    {
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'getGraphJson',
        summary: "A graph's JSON file (mirror extension)",
        description: 'Streamed from storage. A PRIVATE graph is 404 to all but its owner and admins.',
        security: KEY_OPTIONAL,
        params: GraphParams,
        response: { 200: { description: 'The graph JSON', content: { 'application/json': { schema: {} } } }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const file = await openGraphJson(graphDeps(fastify), { viewer: request.viewer, ...request.params });
      reply.type('application/json');
      if (file.contentEncoding !== 'gzip') {
        reply.header('content-length', file.sizeBytes);
        return reply.send(file.stream);
      }
      if (acceptsGzip(request.headers['accept-encoding'])) {
        reply.header('content-encoding', 'gzip').header('content-length', file.sizeBytes).header('vary', 'accept-encoding');
        return reply.send(file.stream);
      }
      const gunzip = createGunzip();
      file.stream.on('error', (error) => gunzip.destroy(error));
      return reply.send(file.stream.pipe(gunzip));
    },
  );
};

export default route;
