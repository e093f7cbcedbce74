// POST /api/list/list: your lists.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListRows } from '../../../schemas/list.js';
import { listOwnLists } from '../../../services/list/list.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/list',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'listLists',
        summary: 'Your lists',
        security: KEY_REQUIRED,
        response: { 200: ListRows, ...errors },
      },
    },
    async (request) => listOwnLists(fastify.db, request.viewer!),
  );
};

export default route;
