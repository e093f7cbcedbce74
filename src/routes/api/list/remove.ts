// POST /api/list/remove: removes a feature from your list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deleteListItem } from '../../../db/queries/lists.js';
import { NotFound } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { RemoveFromListBody, RemoveFromListResponse } from '../../../schemas/list.js';
import { ownedList } from './_owned-list.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/remove',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'removeFromList',
        summary: 'Remove a feature from your list',
        security: KEY_REQUIRED,
        body: RemoveFromListBody,
        response: { 200: RemoveFromListResponse, ...errors },
      },
    },
    async (request) => {
      await ownedList(fastify.db, request.body.listId, request.viewer!);
      const removed = await deleteListItem(
        fastify.db,
        request.body.listId,
        request.body.modelId,
        request.body.layer,
        normalizeIndex(request.body.index),
      );
      if (!removed) throw new NotFound('That feature is not in the list.');
      return removed;
    },
  );
};

export default route;
