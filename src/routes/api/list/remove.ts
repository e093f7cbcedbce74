// POST /api/list/remove: removes a feature from your list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { RemoveFromListBody, RemoveFromListResponse } from '../../../schemas/list.js';
import { removeFromList } from '../../../services/list/remove.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/remove',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'removeFromList',
        summary: 'Remove a feature from your list',
        security: KEY_REQUIRED,
        body: RemoveFromListBody,
        response: { 200: RemoveFromListResponse, ...errors },
      },
    },
    async (request) => removeFromList(fastify.db, request.viewer!, request.body),
  );
};

export default route;
