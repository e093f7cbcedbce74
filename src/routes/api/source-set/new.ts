// POST /api/source-set/new: a source set of one of your models, with one source per layer, to
// upload features into.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewSourceSetBody, SourceSetResponse } from '../../../schemas/source-set.js';
import { createSourceSet } from '../../../services/source-set/new.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/source-set/new',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Sources'],
        operationId: 'newSourceSet',
        summary: 'Create a source set with one source per layer',
        security: KEY_REQUIRED,
        body: NewSourceSetBody,
        response: { 200: SourceSetResponse, ...errorResponses(401) },
      },
    },
    async (request) => createSourceSet(fastify.db, request.viewer!, request.body),
  );
};

export default route;
