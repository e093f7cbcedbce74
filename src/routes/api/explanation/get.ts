// GET /api/explanation/{explanationId}: one explanation with its author, scores, feature and model.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { explanationWithDetails } from '../../../services/explanation/records.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ExplanationDetails, ExplanationIdParams } from '../../../schemas/explanation.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/explanation/:explanationId',
    {
      schema: {
        tags: ['Explanations'],
        operationId: 'getExplanation',
        summary: 'Get an explanation',
        description: 'Answers 404 for an explanation of a feature you may not read, as for a missing one.',
        security: KEY_OPTIONAL,
        params: ExplanationIdParams,
        response: { 200: ExplanationDetails, ...errorResponses(401, 404) },
      },
    },
    async (request) => explanationWithDetails(fastify.db, request.params.explanationId, request.viewer),
  );
};

export default route;
