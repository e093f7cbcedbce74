// POST /api/list/delete: deletes your list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deleteList } from '../../../db/queries/lists.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { DeleteListResponse, ListIdBody } from '../../../schemas/list.js';
import { ownedList } from './_owned-list.js';

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
      await ownedList(fastify.db, request.body.listId, request.viewer!);
      await deleteList(fastify.db, request.body.listId);
      return true;
    },
  );
};

export default route;
