// POST /api/explanation/score/{explanationScoreId}/delete: deletes a score you ran (admins: any).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deleteExplanationScore } from '../../../../services/explanation/records.js';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../../schemas/common.js';
import { ExplanationScoreIdParams } from '../../../../schemas/explanation.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/explanation/score/:explanationScoreId/delete',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'deleteExplanationScore',
        summary: 'Delete an explanation score you ran',
        security: KEY_REQUIRED,
        params: ExplanationScoreIdParams,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await deleteExplanationScore(fastify.db, request.params.explanationScoreId, request.viewer!);
      return { message: 'Explanation score deleted' };
    },
  );
};

export default route;
