// POST /api/explanation/generate: an explanation written by an LLM. Also serves the docs page's
// alias POST /api/explanation-type/eleuther_acts_top20 (its body without explanationType).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { Viewer } from '../../../services/access/viewer.js';
import { generateExplanation } from '../../../services/explanation/generate.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { GenerateEleutherActsTop20Body, GenerateExplanationBody, GenerateExplanationResponse } from '../../../schemas/explanation.js';

const responses = { 200: GenerateExplanationResponse, ...errorResponses(401, 404, 502, 503, 504) };

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services = () => ({
    llm: fastify.llm,
    embeddings: fastify.embeddings,
    autointerp: fastify.autointerp,
  });

  /** The one handler of both paths. */
  async function generate(body: Static<typeof GenerateEleutherActsTop20Body>, explanationType: string, viewer: Viewer) {
    const { modelId, layer, explanationModelName } = body;
    const created = await generateExplanation(
      fastify.db,
      { modelId, layer, index: normalizeIndex(body.index), explanationType, explanationModelName },
      viewer,
      services(),
    );
    return { explanation: created };
  }

  fastify.post(
    '/api/explanation/generate',
    {
      config: { rateLimitGroup: 'explanation-generate', clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'generateExplanation',
        summary: 'Write an explanation with an LLM',
        description:
          'Supported type: eleuther_acts_top20 (top 20 distinct activating examples, marked tokens). Needs LLM_URL; 503 otherwise.',
        security: KEY_REQUIRED,
        body: GenerateExplanationBody,
        response: responses,
      },
    },
    async (request) => generate(request.body, request.body.explanationType, request.viewer!),
  );

  fastify.post(
    '/api/explanation-type/eleuther_acts_top20',
    {
      config: { rateLimitGroup: 'explanation-generate', clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'generateExplanationEleutherActsTop20',
        summary: 'Write an eleuther_acts_top20 explanation (docs page path)',
        description: 'The same as POST /api/explanation/generate with explanationType eleuther_acts_top20.',
        security: KEY_REQUIRED,
        body: GenerateEleutherActsTop20Body,
        response: responses,
      },
    },
    async (request) => generate(request.body, 'eleuther_acts_top20', request.viewer!),
  );
};

export default route;
