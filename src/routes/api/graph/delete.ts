// POST /api/graph/delete: deletes your graph and its file.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../schemas/common.js';
import { DeleteGraphBody } from '../../../schemas/graph.js';
import { deleteOwnedGraph } from '../../../services/graph/graphs.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/delete',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'deleteGraph',
        summary: 'Delete Graph',
        description: "Only the graph's creator may delete it (403 otherwise); a graph you cannot see is 404.",
        security: KEY_REQUIRED,
        body: DeleteGraphBody,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404, 503) },
      },
    },
    async (request) => {
      await deleteOwnedGraph(graphDeps(fastify), { viewer: request.viewer!, ...request.body });
      return { message: 'Graph deleted successfully' };
    },
  );
};

export default route;
