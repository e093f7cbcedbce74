// POST /api/graph/generate: a new graph from a prompt, computed by the graph server (GRAPH_SERVER_URL).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { GenerateGraphBody, GenerateGraphResponse } from '../../../schemas/graph.js';
import { generateGraph } from '../../../services/graph/generate.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/generate',
    {
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'generateGraph',
        summary: 'Generate New Graph',
        description:
          "The graph server computes the graph and uploads it to this mirror; it is then saved as graph/save-to-db saves. Upstream's ranges and defaults; " +
          'without a slug, one is made from the prompt. Anonymous callers may generate, as upstream. 503 naming GRAPH_SERVER_URL when no graph server is configured.',
        security: KEY_OPTIONAL,
        body: GenerateGraphBody,
        response: { 200: GenerateGraphResponse, ...errorResponses(401, 502, 503, 504) },
      },
    },
    async (request) =>
      generateGraph(graphDeps(fastify), fastify.graphServer, { viewer: request.viewer, ip: request.ip, body: request.body }),
  );
};

export default route;
