// POST /api/list/new: creates a list of features.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListRow, NewListBody } from '../../../schemas/list.js';
import { createList } from '../../../services/list/new.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/new',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'newList',
        summary: 'Create a list',
        security: KEY_REQUIRED,
        body: NewListBody,
        response: { 200: ListRow, ...errors },
      },
    },
    async (request) => {
      const created = await createList(fastify.db, request.viewer!, request.body);
      return { ...created, url: `${fastify.config.publicUrl}/list/${created.id}` };
    },
  );
};

export default route;
