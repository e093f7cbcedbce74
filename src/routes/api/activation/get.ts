// POST /api/activation/get: all activations of one feature, strongest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GetActivationsBody, GetActivationsResponse } from '../../../schemas/activation.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { getActivations } from '../../../services/activation/get.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/activation/get',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'getActivations',
        summary: 'Get activations',
        description: 'All activations of a feature, maxValue descending. 404 when there are none or the caller may not read the source.',
        security: KEY_OPTIONAL,
        body: GetActivationsBody,
        response: { 200: GetActivationsResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => getActivations(fastify.db, request.viewer, request.body),
  );
};

export default route;
