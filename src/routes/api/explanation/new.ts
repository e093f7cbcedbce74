// POST /api/explanation/new: uploads an explanation for a feature (SAELens's autointerp upload).
// Upstream's route is a stub that stores nothing; this one stores it, with the key holder as author.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { uploadExplanation } from '../../../services/explanation/records.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { NewExplanationBody, NewExplanationResponse } from '../../../schemas/explanation.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/explanation/new',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Explanations'],
        operationId: 'newExplanation',
        summary: 'Upload an explanation',
        description:
          'Stores an explanation of a feature you may read, with you as its author. `explanationScore` (or `simulationScore`) becomes its score. ' +
          'neuronpedia.org answers this route with "This endpoint is not currently active." and stores nothing.',
        security: KEY_REQUIRED,
        body: NewExplanationBody,
        response: { 200: NewExplanationResponse, ...errorResponses(401, 404, 502, 504) },
      },
    },
    async (request) => {
      const f = request.body.feature;
      const created = await uploadExplanation(
        fastify.db,
        request.viewer!,
        {
          modelId: f.modelId,
          layer: f.layer,
          index: normalizeIndex(f.index),
          explanation: f.explanation,
          explanationModel: f.explanationModel ?? null,
          typeName: f.typeName ?? null,
          score: f.explanationScore ?? f.simulationScore ?? null,
        },
        fastify.embeddings,
      );
      return {
        // The text of upstream's (commented-out) implementation.
        message: 'Explanation created. Open url to see it in the example model.',
        url: `${fastify.config.publicUrl}/${created.modelId}/${created.layer}/${created.index}`,
        explanation: created,
      };
    },
  );
};

export default route;
