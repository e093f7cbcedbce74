// POST /api/graph/list-owned: your graphs, most recently updated first (a bare array, as upstream).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListOwnedGraphsResponse } from '../../../schemas/graph.js';
import { listOwnedGraphs } from '../../../services/graph/graphs.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/list-owned',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'listOwnedGraphs',
        summary: "List User's Graphs",
        security: KEY_REQUIRED,
        response: { 200: ListOwnedGraphsResponse, ...errorResponses(401) },
      },
    },
    async (request) => listOwnedGraphs(graphDeps(fastify), request.viewer!),
  );
};

export default route;
