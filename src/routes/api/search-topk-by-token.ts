// POST /api/search-topk-by-token: for each token of a text, the features of one source that
// activate most there (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchTopkByToken } from '../../services/search/topk-by-token.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SearchTopkByTokenBody, SearchTopkByTokenResponse } from '../../schemas/search.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/search-topk-by-token',
    {
      config: { rateLimitGroup: 'search-topk' },
      schema: {
        tags: ['Search'],
        operationId: 'searchTopkByToken',
        summary: 'Top features at each token (inference server)',
        description:
          'For each token of the text, the features of one source that activate most there, with the feature and its newest explanation. ' +
          'ignoreBos drops special tokens; densityThreshold (default 0.01; -1 or 0 for none) keeps only features at most that dense. 503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: SearchTopkByTokenBody,
        response: { 200: SearchTopkByTokenResponse, ...errorResponses(401, 404, 429, 502, 503, 504) },
      },
    },
    async (request) => {
      const body = request.body;
      return searchTopkByToken(
        fastify.db,
        fastify.inference,
        {
          modelId: body.modelId,
          source: body.source,
          text: body.text,
          numResults: body.numResults ?? 10,
          ignoreBos: body.ignoreBos ?? true,
          densityThreshold: body.densityThreshold ?? 0.01,
        },
        request.viewer,
      );
    },
  );
};

export default route;
