// GET /api/graph/{modelId}/{slug}: a graph's metadata, and in `url` where this mirror serves its JSON.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { GetGraphResponse, GraphParams } from '../../../schemas/graph.js';
import { getGraph } from '../../../services/graph/graphs.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/graph/:modelId/:slug',
    {
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'getGraphMetadata',
        summary: 'Get Graph Metadata',
        description:
          "Upstream's row with the owner's name and id. `url` is this mirror's URL of the JSON file (upstream: the file in S3). A PRIVATE graph is 404 to all but its owner and admins.",
        security: KEY_OPTIONAL,
        params: GraphParams,
        response: { 200: GetGraphResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => getGraph(graphDeps(fastify), { viewer: request.viewer, ...request.params }),
  );
};

export default route;
