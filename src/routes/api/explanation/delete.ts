// POST /api/explanation/{explanationId}/delete: deletes an explanation you wrote (admins: any).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deleteExplanation } from '../../../services/explanation/records.js';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../schemas/common.js';
import { ExplanationIdParams } from '../../../schemas/explanation.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/explanation/:explanationId/delete',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'deleteExplanation',
        summary: 'Delete an explanation you wrote',
        security: KEY_REQUIRED,
        params: ExplanationIdParams,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await deleteExplanation(fastify.db, request.params.explanationId, request.viewer!);
      return { message: 'Explanation deleted' };
    },
  );
};

export default route;
