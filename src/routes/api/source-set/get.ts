// GET /api/source-set/{modelId}/{name}: a source set with its sources, release and model.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { SourceSetParams, SourceSetResponse } from '../../../schemas/source-set.js';
import { getSourceSet } from '../../../services/source-set/get.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/source-set/:modelId/:name',
    {
      schema: {
        tags: ['Sources'],
        operationId: 'getSourceSet',
        summary: 'Get a source set',
        description:
          'A source set (e.g. `res-jb`) with its sources (ordered by layer), its release and its model. ' +
          'The real server answers 200 `null` for an unknown set; this mirror answers 404, which clients already handle.',
        security: KEY_OPTIONAL,
        params: SourceSetParams,
        response: { 200: SourceSetResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => getSourceSet(fastify.db, request.viewer, request.params.modelId, request.params.name),
  );
};

export default route;
