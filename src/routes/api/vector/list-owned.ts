// POST /api/vector/list-owned: your vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listVectorsOf } from '../../../db/queries/neurons.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListOwnedVectorsResponse } from '../../../schemas/vector.js';

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
    async (request) => ({ vectors: await listVectorsOf(fastify.db, request.viewer!.id) }),
  );
};

export default route;
