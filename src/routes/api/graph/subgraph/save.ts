// POST /api/graph/subgraph/save: saves a subgraph (a view of a graph), or overwrites yours (overwriteId).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../../schemas/common.js';
import { SaveSubgraphBody, SaveSubgraphResponse } from '../../../../schemas/graph.js';
import { saveSubgraph } from '../../../../services/graph/subgraphs.js';
import { graphDeps } from '../_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/subgraph/save',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'saveSubgraph',
        summary: 'Subgraph Save (or Overwrite)',
        security: KEY_REQUIRED,
        body: SaveSubgraphBody,
        response: { 200: SaveSubgraphResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => ({ success: true, subgraphId: await saveSubgraph(graphDeps(fastify), request.viewer!, request.body) }),
  );
};

export default route;
