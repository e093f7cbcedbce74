// POST /api/list/add-features: adds features to your list (at most 100 a request).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { AddFeaturesBody, AddFeaturesResponse } from '../../../schemas/list.js';
import { addFeaturesToList } from '../../../services/list/add-features.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/add-features',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'addFeaturesToList',
        summary: 'Add features to your list (at most 100 a request)',
        security: KEY_REQUIRED,
        body: AddFeaturesBody,
        response: { 200: AddFeaturesResponse, ...errors },
      },
    },
    async (request) => addFeaturesToList(fastify.db, request.viewer!, request.body),
  );
};

export default route;
