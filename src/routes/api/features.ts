// POST /api/features: a batch of features in one request.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readFeatures } from '../../services/feature/read-features.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../schemas/common.js';
import { FeaturesRequest, FeaturesResponse } from '../../schemas/features.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/features',
    {
      schema: {
        tags: ['Features'],
        operationId: 'getFeatures',
        summary: 'Get many features',
        description:
          'Features with their explanations and activations (strongest first), in request order. Features that do not exist or that the caller may not read are left out.',
        security: KEY_OPTIONAL,
        body: FeaturesRequest,
        response: { 200: FeaturesResponse, ...errorResponses(401, 413) },
      },
    },
    async (request) => {
      const keys = request.body.map((f) => ({ modelId: f.modelId, layer: f.layer, index: normalizeIndex(f.index) }));
      const maxActs = request.body[0]?.maxActsToReturn || undefined; // upstream: first item's value, 0 means all
      return readFeatures(fastify.db, keys, request.viewer, maxActs);
    },
  );
};

export default route;
