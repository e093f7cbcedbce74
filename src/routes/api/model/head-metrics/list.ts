// POST /api/model/head-metrics/list. Exports carry no head data, so a mirror has none: see services/catalog/heads.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { headMetricsList } from '../../../../services/catalog/heads.js';
import { errorResponses, KEY_OPTIONAL } from '../../../../schemas/common.js';
import { HeadMetricsListBody, HeadRows } from '../../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/head-metrics/list',
    {
      schema: {
        tags: ['Models'],
        operationId: 'listHeadMetrics',
        summary: "List a model's attention head metrics",
        description: 'Head metrics are not in the public exports; this mirror holds none and answers an empty list.',
        security: KEY_OPTIONAL,
        body: HeadMetricsListBody,
        response: { 200: HeadRows, ...errorResponses(401, 404) },
      },
    },
    async (request) => headMetricsList(fastify.db, request.body.modelId, request.viewer),
  );
};

export default route;
