// POST /api/vector/list-owned: your vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListOwnedVectorsResponse } from '../../../schemas/vector.js';
import { listOwnedVectors } from '../../../services/vector/list-owned.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/vector/list-owned',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Vectors'],
        operationId: 'listOwnedVectors',
        summary: 'List your vectors',
        security: KEY_REQUIRED,
        response: { 200: ListOwnedVectorsResponse, ...errorResponses(401) },
      },
    },
    async (request) => ({ vectors: await listOwnedVectors(fastify.db, request.viewer!) }),
  );
};

export default route;
