// POST /api/list/edit-feature: changes your note on one feature of your list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { editListFeature } from '../../../services/list/edit-feature.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { EditListFeatureBody, ListItemRow } from '../../../schemas/list.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/edit-feature',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'editListFeature',
        summary: 'Edit the description of a feature in your list',
        security: KEY_REQUIRED,
        body: EditListFeatureBody,
        response: { 200: ListItemRow, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => editListFeature(fastify.db, request.viewer!, { ...request.body, index: normalizeIndex(request.body.index) }),
  );
};

export default route;
