// POST /api/steer/presets {modelId}: upstream's fixed steering presets for the model, with your own vectors first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { steerPresets } from '../../../services/steer/presets.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { SteerPresetsBody, SteerPresetsResponse } from '../../../schemas/source-reads.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/steer/presets',
    {
      schema: {
        tags: ['Steering'],
        operationId: 'getSteerPresets',
        summary: 'Steering presets for a model',
        description: 'Needs no inference server. 404 "Model Not Found" for a model you may not read.',
        security: KEY_OPTIONAL,
        body: SteerPresetsBody,
        response: { 200: SteerPresetsResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => steerPresets(fastify.db, request.body.modelId, request.viewer),
  );
};

export default route;
