// POST /api/explanation/search-model: explanations nearest to a text in one model (handler in _search.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SearchModelExplanationsBody } from '../../../schemas/explanation.js';
import { explanationSearchRoute } from './_search.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  explanationSearchRoute(fastify, {
    url: '/api/explanation/search-model',
    operationId: 'searchModelExplanations',
    summary: 'Search the explanations of a model',
    body: SearchModelExplanationsBody,
    scope: (b) => ({ kind: 'model', modelId: b.modelId as string }),
  });
};

export default route;
