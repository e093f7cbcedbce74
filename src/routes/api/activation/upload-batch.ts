// POST /api/activation/upload-batch: activations of one of your steering vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ActivationUploadBody } from '../../../schemas/activation.js';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../schemas/common.js';
import { uploadActivations } from '../../../services/activation/upload-batch.js';

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
      const created = await uploadActivations(fastify.db, request.viewer!, request.body);
      return { message: `${created} activations created.` };
    },
  );
};

export default route;
