// POST /api/graph/subgraph/list: your subgraphs of one graph, newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../../schemas/common.js';
import { ListSubgraphsBody, ListSubgraphsResponse } from '../../../../schemas/graph.js';
import { listSubgraphs } from '../../../../services/graph/subgraphs.js';
import { graphDeps } from '../_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/subgraph/list',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'listSubgraphs',
        summary: 'Subgraphs List',
        security: KEY_REQUIRED,
        body: ListSubgraphsBody,
        response: { 200: ListSubgraphsResponse, ...errorResponses(401) },
      },
    },
    async (request) => ({
      success: true,
      subgraphs: await listSubgraphs(graphDeps(fastify), request.viewer!, request.body.modelId, request.body.slug),
    }),
  );
};

export default route;
