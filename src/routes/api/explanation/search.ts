// POST /api/explanation/search: explanations nearest to a text in some sources of a model (handler in _search.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SearchExplanationsBody } from '../../../schemas/explanation.js';
import { explanationSearchRoute } from './_search.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  explanationSearchRoute(fastify, {
    url: '/api/explanation/search',
    operationId: 'searchExplanations',
    summary: 'Search explanations in some sources of a model',
    body: SearchExplanationsBody,
    scope: (b) => ({ kind: 'layers', modelId: b.modelId as string, layers: b.layers as string[] }),
  });
};

export default route;
