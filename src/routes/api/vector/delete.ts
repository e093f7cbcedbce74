// POST /api/vector/delete: deletes one of your vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../schemas/common.js';
import { FeatureRef } from '../../../schemas/vector.js';
import { deleteVector } from '../../../services/vector/delete.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/vector/delete',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Vectors'],
        operationId: 'deleteVector',
        summary: 'Delete one of your vectors',
        security: KEY_REQUIRED,
        body: FeatureRef,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await deleteVector(fastify.db, request.viewer!, request.body);
      return { message: 'Success' };
    },
  );
};

export default route;
