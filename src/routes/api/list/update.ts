// POST /api/list/update: renames your list, changes its description or default test text.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { updateListMetadata } from '../../../services/list/update.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListRow, UpdateListBody } from '../../../schemas/list.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/update',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'updateList',
        summary: "Update a list's name, description and default test text",
        security: KEY_REQUIRED,
        body: UpdateListBody,
        response: { 200: ListRow, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      updateListMetadata(fastify.db, request.viewer!, {
        listId: request.body.listId,
        name: request.body.name,
        description: request.body.description ?? null,
        defaultTestText: request.body.defaultTestText ?? null,
      }),
  );
};

export default route;
