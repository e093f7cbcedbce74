// POST /api/explanation/search-release: explanations nearest to a text in one release (handler in _search.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SearchReleaseExplanationsBody } from '../../../schemas/explanation.js';
import { explanationSearchRoute } from './_search.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  explanationSearchRoute(fastify, {
    url: '/api/explanation/search-release',
    operationId: 'searchReleaseExplanations',
    summary: 'Search the explanations of a release',
    body: SearchReleaseExplanationsBody,
    scope: (b) => ({ kind: 'release', releaseName: b.releaseName as string }),
  });
};

export default route;
