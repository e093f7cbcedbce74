// POST /api/vector/new: uploads a steering vector, with the real server's body and messages. Also
// serves the docs page's alias POST /api/upload/vector. The checks and the insert: services/vector/new.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewVectorBody, NewVectorResponse } from '../../../schemas/vector.js';
import { createVector } from '../../../services/vector/new.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const [url, operationId] of [
    ['/api/vector/new', 'newVector'],
    ['/api/upload/vector', 'uploadVector'],
  ] as const) {
    fastify.post(
      url,
      {
        config: { clearsFeatureCache: true },
        preValidation: fastify.requireUser,
        schema: {
          tags: ['Vectors'],
          operationId,
          summary:
            url === '/api/vector/new' ? 'Upload a steering vector' : 'Upload a steering vector (docs page path; same as /api/vector/new)',
          description:
            "Stored in source `<layerNumber>-neuronpedia-resid-pre` (or `-post`) under a new random index. The vector must have the model's dimension.",
          security: KEY_REQUIRED,
          body: NewVectorBody,
          response: { 200: NewVectorResponse, ...errorResponses(401) },
        },
      },
      async (request) => {
        const vector = await createVector(fastify.db, request.viewer!, request.body);
        return {
          message: 'Success',
          url: `${fastify.config.publicUrl}/${vector.modelId}/${vector.layer}/${vector.index}`,
          vector: {
            modelId: vector.modelId,
            source: vector.layer,
            index: vector.index,
            label: vector.vectorLabel,
            createdAt: vector.createdAt,
            defaultSteerStrength: vector.vectorDefaultSteerStrength,
            hookName: vector.hookName,
            values: vector.vector,
          },
        };
      },
    );
  }
};

export default route;
