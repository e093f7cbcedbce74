// POST /api/model/head-metrics/get. Exports carry no head data, so a mirror has none: see services/catalog/heads.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { headMetrics } from '../../../../services/catalog/heads.js';
import { errorResponses, KEY_OPTIONAL } from '../../../../schemas/common.js';
import { HeadBody } from '../../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/head-metrics/get',
    {
      schema: {
        tags: ['Models'],
        operationId: 'getHeadMetrics',
        summary: "Get one attention head's metrics",
        description: 'Head metrics are not in the public exports; this mirror holds none and answers 404 "Head metrics not found".',
        security: KEY_OPTIONAL,
        body: HeadBody,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses(401, 404) },
      },
    },
    async (request) => headMetrics(fastify.db, request.body.modelId, request.viewer),
  );
};

export default route;
