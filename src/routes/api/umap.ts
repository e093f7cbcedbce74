// POST /api/umap {modelId, layers}: the explanations placed on each source's UMAP, by source.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { umapExplanations } from '../../services/feature/source-reads.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { UmapBody, UmapResponse } from '../../schemas/source-reads.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/umap',
    {
      schema: {
        tags: ['Features'],
        operationId: 'getUmap',
        summary: 'UMAP coordinates of sources’ explanations',
        description: 'For each source in `layers`, its explanations with non-zero UMAP coordinates (from the exports’ umap_* columns).',
        security: KEY_OPTIONAL,
        body: UmapBody,
        response: { 200: UmapResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => umapExplanations(fastify.db, request.body.modelId, request.body.layers, request.viewer),
  );
};

export default route;
