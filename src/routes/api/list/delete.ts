// POST /api/list/delete: deletes your list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { DeleteListResponse, ListIdBody } from '../../../schemas/list.js';
import { deleteOwnedList } from '../../../services/list/delete.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/delete',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'deleteList',
        summary: 'Delete your list',
        security: KEY_REQUIRED,
        body: ListIdBody,
        response: { 200: DeleteListResponse, ...errors },
      },
    },
    async (request) => {
      await deleteOwnedList(fastify.db, request.viewer!, request.body.listId);
      return true;
    },
  );
};

export default route;
