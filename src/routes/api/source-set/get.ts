// GET /api/source-set/{modelId}/{name}: a source set with its sources, release and model.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canRead, canReadAll, isListedTo } from '../../../services/access/viewer.js';
import { findSourceSet, listSourcesOfSet } from '../../../db/queries/sources.js';
import { NotFound } from '../../../errors.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { SourceSetParams, SourceSetResponse } from '../../../schemas/source-set.js';

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
    async (request) => {
      const { modelId, name } = request.params;
      const found = await findSourceSet(fastify.db, modelId, name);
      if (!found || !canReadAll([found.model, found.sourceSet], request.viewer)) {
        throw new NotFound();
      }
      const sources = await listSourcesOfSet(fastify.db, modelId, name);
      return {
        ...found.sourceSet,
        // As upstream: UNLISTED sources are listed only to their creator (and admins).
        sources: sources.filter((s) => isListedTo(s, request.viewer)),
        releases: found.release && canRead(found.release, request.viewer) ? found.release : null,
        model: found.model,
      };
    },
  );
};

export default route;
