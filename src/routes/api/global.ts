// POST /api/global: models, releases and the explanation/score lookup tables the site loads at start.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { globalCatalog } from '../../services/catalog/models.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { GlobalResponse } from '../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/global',
    {
      schema: {
        tags: ['Models'],
        operationId: 'getGlobal',
        summary: 'Models, releases, explanation types and models, score types and models',
        security: KEY_OPTIONAL,
        response: { 200: GlobalResponse, ...errorResponses(401) },
      },
    },
    async (request) => globalCatalog(fastify.db, request.viewer),
  );
};

export default route;
