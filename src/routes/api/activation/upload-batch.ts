// POST /api/activation/upload-batch: activations of one of your steering vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createId } from '@paralleldrive/cuid2';
import { canReadFeature } from '../../../services/access/readable-sources.js';
import { insertActivations } from '../../../db/queries/activations.js';
import { findNeuron } from '../../../db/queries/neurons.js';
import { Forbidden, InvalidInput, NotFound } from '../../../errors.js';
import { ActivationUploadBody } from '../../../schemas/activation.js';
import { errorResponses, KEY_REQUIRED, MessageResponse, normalizeIndex } from '../../../schemas/common.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  // As when this route shared a plugin with the dashboard upload: an NDJSON body is taken as a
  // stream and refused by validation (400), not by content type (415).
  fastify.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));

  fastify.post(
    '/api/activation/upload-batch',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Activations'],
        operationId: 'uploadActivations',
        summary: 'Upload activations of one of your vectors',
        security: KEY_REQUIRED,
        body: ActivationUploadBody,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { modelId, source: layer, activations } = request.body;
      const index = normalizeIndex(request.body.index);
      const vector = (await canReadFeature(fastify.db, { modelId, layer, index }, request.viewer))
        ? await findNeuron(fastify.db, modelId, layer, index)
        : undefined;
      if (!vector) throw new NotFound('Vector not found.');
      if (vector.creatorId !== request.viewer!.id) throw new Forbidden('User is not the creator of the vector.');
      for (const a of activations) {
        if (a.tokens.length !== a.values.length) throw new InvalidInput('Activations tokens length does not match values length.');
      }
      const created = await insertActivations(
        fastify.db,
        activations.map((a) => {
          const maxValue = Math.max(...a.values);
          return {
            id: createId(),
            tokens: a.tokens,
            values: a.values,
            modelId,
            layer,
            index,
            creatorId: request.viewer!.id,
            maxValue,
            maxValueTokenIndex: a.values.indexOf(maxValue),
            minValue: Math.min(...a.values),
          };
        }),
      );
      return { message: `${created} activations created.` };
    },
  );
};

export default route;
