// POST /api/features-offset {modelId, layer, offset}: 25 features of a source at a time, in natural
// index order, skipping dead ones (upstream's getNeuronsOffset).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { featuresFromOffset } from '../../services/feature/source-reads.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { FeaturesOffsetBody, FeaturesOffsetResponse } from '../../schemas/source-reads.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/features-offset',
    {
      schema: {
        tags: ['Features'],
        operationId: 'getFeaturesOffset',
        summary: 'Page through a source’s features',
        description: 'Features with activations (maxActApprox > 0), 25 a page from `offset`, each with its activations and explanations.',
        security: KEY_OPTIONAL,
        body: FeaturesOffsetBody,
        response: { 200: FeaturesOffsetResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) =>
      featuresFromOffset(
        fastify.db,
        { modelId: request.body.modelId, layer: request.body.layer, offset: request.body.offset ?? 0 },
        request.viewer,
      ),
  );
};

export default route;
