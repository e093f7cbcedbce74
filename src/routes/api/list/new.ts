// POST /api/list/new: creates a list of features.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { insertList } from '../../../db/queries/lists.js';
import { InvalidInput } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ListRow, NewListBody } from '../../../schemas/list.js';

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
      const name = request.body.name.trim();
      if (!name) throw new InvalidInput('Name must not be empty');
      const created = await insertList(fastify.db, request.viewer!.id, name, request.body.description ?? '', request.body.testText ?? null);
      return { ...created, user: { name: request.viewer!.name }, url: `${fastify.config.publicUrl}/list/${created.id}` };
    },
  );
};

export default route;
