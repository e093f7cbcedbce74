// POST /api/model/head-sequences/get. Exports carry no head data, so a mirror has none: see services/catalog/heads.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { headSequences } from '../../../../services/catalog/heads.js';
import { errorResponses, KEY_OPTIONAL } from '../../../../schemas/common.js';
import { HeadBody, HeadRows } from '../../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/head-sequences/get',
    {
      schema: {
        tags: ['Models'],
        operationId: 'getHeadSequences',
        summary: "An attention head's top sequences",
        description: 'Head sequences are not in the public exports; this mirror holds none and answers an empty list.',
        security: KEY_OPTIONAL,
        body: HeadBody,
        response: { 200: HeadRows, ...errorResponses(401, 404) },
      },
    },
    async (request) => headSequences(fastify.db, request.body.modelId, request.viewer),
  );
};

export default route;
