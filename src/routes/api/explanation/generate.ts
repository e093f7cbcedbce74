// POST /api/explanation/generate (the real server's body) and the docs page's
// POST /api/explanation-type/eleuther_acts_top20: one implementation.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { generateExplanation } from '../../../explain/generate.js';
import { errorResponses, FeatureIndex, KEY_REQUIRED, ModelId, normalizeIndex, SourceId } from '../../../schemas/common.js';

const ExplanationRow = Type.Object(
  {
    id: Type.String(),
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    description: Type.String(),
    typeName: Type.Union([Type.String(), Type.Null()]),
    explanationModelName: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: true },
);
const responses = { 200: Type.Object({ explanation: ExplanationRow }), ...errorResponses(401, 404, 502, 503, 504) };
const common = {
  modelId: ModelId,
  layer: SourceId,
  index: FeatureIndex,
  explanationModelName: Type.String({
    minLength: 1,
    maxLength: 256,
    description: 'An ExplanationModelType name; its openRouterModelId (or name) is the model asked.',
  }),
};

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services = () => ({
    llm: fastify.llm,
    embeddings: fastify.embeddings,
    autointerp: fastify.autointerp,
    publicUrl: fastify.config.publicUrl,
  });

  fastify.post(
    '/api/explanation/generate',
    {
      config: { rateLimitGroup: 'explanation-generate' },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'generateExplanation',
        summary: 'Write an explanation with an LLM',
        description:
          'Supported type: eleuther_acts_top20 (top 20 distinct activating examples, marked tokens). Needs LLM_URL; 503 otherwise.',
        security: KEY_REQUIRED,
        body: Type.Object({
          ...common,
          explanationType: Type.String({ minLength: 1, maxLength: 256 }),
          useOpenRouter: Type.Optional(Type.Boolean()),
        }),
        response: responses,
      },
    },
    async (request) => {
      const { modelId, layer, explanationType, explanationModelName } = request.body;
      const created = await generateExplanation(
        fastify.db,
        { modelId, layer, index: normalizeIndex(request.body.index), explanationType, explanationModelName },
        request.viewer!,
        services(),
      );
      fastify.featureCache.clear();
      return { explanation: created };
    },
  );

  fastify.post(
    '/api/explanation-type/eleuther_acts_top20',
    {
      config: { rateLimitGroup: 'explanation-generate' },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'generateExplanationEleutherActsTop20',
        summary: 'Write an eleuther_acts_top20 explanation (docs page path)',
        description: 'The same as POST /api/explanation/generate with explanationType eleuther_acts_top20.',
        security: KEY_REQUIRED,
        body: Type.Object(common),
        response: responses,
      },
    },
    async (request) => {
      const { modelId, layer, explanationModelName } = request.body;
      const created = await generateExplanation(
        fastify.db,
        { modelId, layer, index: normalizeIndex(request.body.index), explanationType: 'eleuther_acts_top20', explanationModelName },
        request.viewer!,
        services(),
      );
      fastify.featureCache.clear();
      return { explanation: created };
    },
  );
};

export default route;
