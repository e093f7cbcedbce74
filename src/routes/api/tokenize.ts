// POST /api/tokenize {prompt, modelId, prependBos}: the model's tokens for a text (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tokenizeText } from '../../services/activation/text-tools.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { TokenizeBody, TokenizeResponse } from '../../schemas/text-tools.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/tokenize',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'tokenize',
        summary: 'Tokenize text (inference server)',
        description:
          "The inference server's answer as is. (neuronpedia.org wraps it in its HTTP client's result, `{data: {…}, response: {}}`.) 503 when no inference server is configured.",
        security: KEY_OPTIONAL,
        body: TokenizeBody,
        response: { 200: TokenizeResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) =>
      tokenizeText(
        fastify.db,
        fastify.inference,
        { modelId: request.body.modelId, prompt: request.body.prompt, prependBos: request.body.prependBos ?? true },
        request.viewer,
      ),
  );
};

export default route;
