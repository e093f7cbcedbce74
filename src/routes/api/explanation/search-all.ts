// POST /api/explanation/search-all: explanations nearest to a text, in every source (handler in _search.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SearchAllExplanationsBody } from '../../../schemas/explanation.js';
import { explanationSearchRoute } from './_search.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  explanationSearchRoute(fastify, {
    url: '/api/explanation/search-all',
    operationId: 'searchAllExplanations',
    summary: 'Search all explanations',
    body: SearchAllExplanationsBody,
    scope: () => ({ kind: 'all' }),
  });
};

export default route;
