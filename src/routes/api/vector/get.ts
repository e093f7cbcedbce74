// POST /api/vector/get: a stored vector, or an SAE feature's decoder vector from the inference server.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { FeatureRef, GetVectorResponse } from '../../../schemas/vector.js';
import { getVector } from '../../../services/vector/get.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/vector/get',
    {
      schema: {
        tags: ['Vectors'],
        operationId: 'getVector',
        summary: "Get a stored vector, or an SAE feature's vector from the inference server",
        description:
          'An uploaded vector as stored (bit-identical). For an SAE feature, the inference server computes the decoder vector (`/v1/util/sae-vector`) and the answer has no createdAt or creatorId, as upstream; ' +
          '503 when no inference server is configured for the model.',
        security: KEY_OPTIONAL,
        body: FeatureRef,
        response: { 200: GetVectorResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) => ({ vector: await getVector(fastify.db, fastify.inference, request.viewer, request.body) }),
  );
};

export default route;
