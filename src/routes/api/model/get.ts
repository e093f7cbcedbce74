// POST /api/model/get {id}: one model with its source sets and their sources (upstream's getModelByIdWithSourceSets).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { modelWithSourceSets } from '../../../services/catalog/models.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ModelGetBody, ModelGetResponse } from '../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/get',
    {
      schema: {
        tags: ['Models'],
        operationId: 'getModel',
        summary: 'Get a model with its source sets',
        description: 'A model you may not read answers 404, as a missing one (neuronpedia.org answers `null` with 200).',
        security: KEY_OPTIONAL,
        body: ModelGetBody,
        response: { 200: ModelGetResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => modelWithSourceSets(fastify.db, request.body.id, request.viewer),
  );
};

export default route;
