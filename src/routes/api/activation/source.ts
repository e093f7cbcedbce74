// POST /api/activation/source: activations of every feature of a source on new text (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { activationsOfSource } from '../../../services/activation/activations.js';
import { SourceActivationsBody, SourceActivationsResponse } from '../../../schemas/activation.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/activation/source',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'sourceActivations',
        summary: 'All feature activations of a source for new text (inference server)',
        description:
          'Every feature of the source that fires on the text: `{results: [{tokens, activeFeatures: {index: [[tokenIndex, value], …]}}]}`. customText: one text, or up to 4.',
        security: KEY_OPTIONAL,
        body: SourceActivationsBody,
        response: { 200: SourceActivationsResponse, ...errorResponses(401, 404, 429, 502, 503, 504) },
      },
    },
    async (request) => {
      const { modelId, source, customText } = request.body;
      return activationsOfSource(
        fastify.db,
        fastify.inference,
        modelId,
        source,
        Array.isArray(customText) ? customText : [customText],
        request.viewer,
      );
    },
  );
};

export default route;
