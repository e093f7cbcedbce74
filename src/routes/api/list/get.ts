// POST /api/list/get: a list with its features. A list is readable by anyone with its id (as
// upstream); its features are shown only where the reader may see them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getList } from '../../../services/list/get-list.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { GetListResponse, ListIdBody } from '../../../schemas/list.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/get',
    {
      schema: {
        tags: ['Lists'],
        operationId: 'getList',
        summary: 'Get a list with its features',
        security: KEY_OPTIONAL,
        body: ListIdBody,
        response: { 200: GetListResponse, ...errors },
      },
    },
    async (request) => getList(fastify.db, request.body.listId, request.viewer),
  );
};

export default route;
