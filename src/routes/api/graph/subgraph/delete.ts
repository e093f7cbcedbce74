// POST /api/graph/subgraph/delete: deletes your subgraph.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../../schemas/common.js';
import { DeleteSubgraphBody, DeleteSubgraphResponse } from '../../../../schemas/graph.js';
import { deleteOwnedSubgraph } from '../../../../services/graph/subgraphs.js';
import { graphDeps } from '../_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/subgraph/delete',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'deleteSubgraph',
        summary: 'Subgraph Delete',
        security: KEY_REQUIRED,
        body: DeleteSubgraphBody,
        response: { 200: DeleteSubgraphResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await deleteOwnedSubgraph(graphDeps(fastify), request.viewer!, request.body.subgraphId);
      return { success: true, message: 'Subgraph deleted successfully' };
    },
  );
};

export default route;
