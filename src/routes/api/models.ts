// GET /api/models: the catalog of models, source sets and sources this mirror holds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listCatalog } from '../../services/catalog/list-catalog.js';
import { CatalogResponse } from '../../schemas/catalog.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/models',
    {
      schema: {
        tags: ['Models'],
        operationId: 'listModels',
        summary: 'List what this mirror holds',
        description:
          'Models the caller may see, each with its source sets and their sources, with feature counts. A mirror extension (neuronpedia.org has no such route). ' +
          'PRIVATE and UNLISTED entries are listed only to their creator and admins.',
        security: KEY_OPTIONAL,
        response: { 200: CatalogResponse, ...errorResponses(401) },
      },
    },
    async (request) => ({ models: await listCatalog(fastify.db, request.viewer) }),
  );
};

export default route;
