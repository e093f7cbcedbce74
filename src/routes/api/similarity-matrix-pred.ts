// POST /api/similarity-matrix-pred {modelId, sourceId, text}: token-by-token similarity of a
// temporal SAE's predictions (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { similarityMatrixPred } from '../../services/activation/text-tools.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SimilarityMatrixBody, SimilarityMatrixResponse } from '../../schemas/text-tools.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/similarity-matrix-pred',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'similarityMatrixPred',
        summary: 'Predicted similarity matrix of a text (inference server, temporal SAEs)',
        description: 'Text up to 700 characters. 503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: SimilarityMatrixBody,
        response: { 200: SimilarityMatrixResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) => similarityMatrixPred(fastify.db, fastify.inference, request.body, request.viewer),
  );
};

export default route;
