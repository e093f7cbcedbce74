// POST /api/model/list: the models you may list, with their source sets and sources (upstream's getGlobalModels).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { globalModels } from '../../../services/catalog/models.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ModelListResponse } from '../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/list',
    {
      schema: {
        tags: ['Models'],
        operationId: 'listModelsWithSourceSets',
        summary: 'List models with their source sets',
        description:
          'UNLISTED models, sets and sources are listed only to their creator and admins (neuronpedia.org lists UNLISTED models to all).',
        security: KEY_OPTIONAL,
        response: { 200: ModelListResponse, ...errorResponses(401) },
      },
    },
    async (request) => globalModels(fastify.db, request.viewer),
  );
};

export default route;
