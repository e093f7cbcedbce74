// POST /api/model/new: a user's own model, to upload source sets and features into.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewModelBody } from '../../../schemas/model.js';
import { ModelRow } from '../../../schemas/rows.js';
import { createModel } from '../../../services/model/new.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/new',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Models'],
        operationId: 'newModel',
        summary: 'Create a model',
        security: KEY_REQUIRED,
        body: NewModelBody,
        response: { 200: ModelRow, ...errorResponses(401) },
      },
    },
    async (request) => createModel(fastify.db, request.viewer!, request.body),
  );
};

export default route;
