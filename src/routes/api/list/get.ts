// POST /api/list/get: a list with its features. A list is readable by anyone with its id (as
// upstream); its features are shown only where the reader may see them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { findList, listItems } from '../../../db/queries/lists.js';
import { NotFound } from '../../../errors.js';
import { readFeatures } from '../../../services/feature/read-features.js';
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
    async (request) => {
      const found = await findList(fastify.db, request.body.listId);
      if (!found) throw new NotFound('List not found.');
      const items = await listItems(fastify.db, found.list.id);
      // Each feature as the batch read gives it (top 3 activations), where the reader may see it.
      const features = await readFeatures(fastify.db, items, request.viewer, 3);
      const byKey = new Map(features.map((f) => [`${f.modelId}\u0000${f.layer}\u0000${f.index}`, f]));
      const neurons = items.flatMap((item) => {
        const neuron = byKey.get(`${item.modelId}\u0000${item.layer}\u0000${item.index}`);
        return neuron ? [{ ...item, neuron }] : [];
      });
      return { ...found.list, user: { name: found.userName }, activations: [], neurons };
    },
  );
};

export default route;
