// POST /api/list/new-with-features: creates a list and adds features to it in one call (what
// SAELens's make_neuronpedia_list_with_features sends; it opens the `url` answered).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createListWithFeatures } from '../../../services/list/new-with-features.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { NewListWithFeaturesBody, NewListWithFeaturesResponse } from '../../../schemas/list.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/new-with-features',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'newListWithFeatures',
        summary: 'Create a list with features',
        description: 'Features that do not exist, or that you may not read, are skipped (as upstream) and named in `skippedFeatures`.',
        security: KEY_REQUIRED,
        body: NewListWithFeaturesBody,
        response: { 200: NewListWithFeaturesResponse, ...errorResponses(401) },
      },
    },
    async (request) => {
      const { body } = request;
      const viewer = request.viewer!;
      const { list, skippedFeatures } = await createListWithFeatures(fastify.db, viewer, {
        name: body.name,
        description: body.description ?? '',
        testText: body.testText ?? null,
        features: (body.features ?? []).map((f) => ({
          modelId: f.modelId,
          layer: f.layer,
          index: normalizeIndex(f.index),
          description: f.description ?? '',
        })),
      });
      return { ...list, user: { name: viewer.name }, url: `${fastify.config.publicUrl}/list/${list.id}`, skippedFeatures };
    },
  );
};

export default route;
