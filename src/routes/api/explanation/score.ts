// POST /api/explanation/score: scores an explanation. Also serves the docs page's aliases
// POST /api/score-type/{eleuther_fuzz,eleuther_recall,eleuther_embedding} (scorerType in the path).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scoreExplanation, SCORER_TYPES } from '../../../services/explanation/score.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ScoreExplanationBody, ScoreExplanationResponse, ScoreTypeBody } from '../../../schemas/explanation.js';

const responses = { 200: ScoreExplanationResponse, ...errorResponses(401, 404, 502, 503, 504) };

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services = () => ({ llm: fastify.llm, embeddings: fastify.embeddings, autointerp: fastify.autointerp });

  fastify.post(
    '/api/explanation/score',
    {
      config: { rateLimitGroup: 'explanation-score', clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'scoreExplanation',
        summary: 'Score an explanation',
        description: `Scorers: ${SCORER_TYPES.join(', ')}. Fuzz and recall (detection) ask the LLM at LLM_URL and score balanced accuracy; embedding uses EMBEDDING_URL and scores ROC AUC.`,
        security: KEY_REQUIRED,
        body: ScoreExplanationBody,
        response: responses,
      },
    },
    async (request) => {
      const score = await scoreExplanation(fastify.db, request.body, request.viewer!, services());
      return { score };
    },
  );

  for (const scorerType of SCORER_TYPES) {
    fastify.post(
      `/api/score-type/${scorerType}`,
      {
        config: { rateLimitGroup: 'explanation-score', clearsFeatureCache: true },
        preValidation: fastify.requireUser,
        schema: {
          tags: ['Explanations'],
          operationId: `score_${scorerType}`,
          summary: `Score an explanation with ${scorerType} (docs page path)`,
          description: `The same as POST /api/explanation/score with scorerType ${scorerType}.`,
          security: KEY_REQUIRED,
          body: ScoreTypeBody,
          response: responses,
        },
      },
      async (request) => {
        const score = await scoreExplanation(fastify.db, { ...request.body, scorerType }, request.viewer!, services());
        return { score };
      },
    );
  }
};

export default route;
