// POST /api/steer-load: a saved steering result by the id /api/steer or /api/steer-chat returned.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SteerLoadBody, SteerLoadResponse } from '../../schemas/steer.js';
import { loadSteerOutput } from '../../services/steer/load.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/steer-load',
    {
      schema: {
        tags: ['Steering'],
        operationId: 'steerLoad',
        summary: 'Load a saved steering result',
        description:
          "A saved result by the `id` /api/steer or /api/steer-chat returned, in steer-chat's shape, with its settings and features. Not rate limited.",
        security: KEY_OPTIONAL,
        body: SteerLoadBody,
        response: { 200: SteerLoadResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => loadSteerOutput(fastify.db, request.body.steerOutputId, request.viewer, fastify.config.publicUrl),
  );
};

export default route;
