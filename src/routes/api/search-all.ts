// POST /api/search-all: the features of a source set that activate most on a text (inference
// server). Also serves the docs page's alias POST /api/search: the same search with the docs page's
// field names and fixed options.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendJsonText } from '../../http/send-json-text.js';
import { searchAll, type SearchAllRequest } from '../../services/search/search-all.js';
import { DEFAULT_NUM_RESULTS, NO_DENSITY_THRESHOLD } from '../../constants.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SearchAllBody, SearchAllResponse, SearchBody } from '../../schemas/search.js';

const response = { 200: SearchAllResponse, ...errorResponses(401, 404, 429, 502, 503, 504) };

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  /** The one handler of both paths, once each has mapped its body. */
  async function search(request: FastifyRequest, reply: FastifyReply, params: SearchAllRequest) {
    const found = await searchAll(fastify.db, fastify.inference, fastify.featureCache, params, request.viewer);
    // searchAll answers with JSON text, sent as it is: SearchAllResponse documents the answer, but
    // serializing a union of large open-ended objects through it would validate every result to
    // pick a branch, which cost more than the whole database join (scripts/bench-inference.ts).
    return sendJsonText(reply, found);
  }

  fastify.post(
    '/api/search-all',
    {
      config: { rateLimitGroup: 'search-all' },
      schema: {
        tags: ['Search'],
        operationId: 'searchAll',
        summary: 'Top features for a text (inference server)',
        description:
          'Runs the text through the model on an inference server and returns the features of the source set that activate most, each with its feature (top activation, explanations). ' +
          'Features denser than `densityThreshold` (fraction of tokens where they fire), and features that do not fire, are left out. 503 when no inference server is configured for the model.',
        security: KEY_OPTIONAL,
        body: SearchAllBody,
        response,
      },
    },
    async (request, reply) => {
      const body = request.body;
      return search(request, reply, {
        modelId: body.modelId,
        sourceSet: body.sourceSet,
        text: body.text,
        selectedLayers: body.selectedLayers ?? [],
        sortIndexes: body.sortIndexes ?? [],
        ignoreBos: body.ignoreBos ?? true,
        densityThreshold: body.densityThreshold || NO_DENSITY_THRESHOLD,
        numResults: body.numResults ?? DEFAULT_NUM_RESULTS,
      });
    },
  );

  fastify.post(
    '/api/search',
    {
      config: { rateLimitGroup: 'search-all' },
      schema: {
        tags: ['Search'],
        operationId: 'search',
        summary: 'Top features for a text (docs page form of search-all)',
        description:
          "The docs page's search. The same search and answer as POST /api/search-all, with these field names: `model` = `modelId`, `sae_set` = `sourceSet`, `text` = `text`, `top_k` = `numResults` " +
          `(default ${DEFAULT_NUM_RESULTS}); every source of the set is searched, ranked by max activation, BOS ignored, no density filter.`,
        security: KEY_OPTIONAL,
        body: SearchBody,
        response,
      },
    },
    async (request, reply) => {
      const body = request.body;
      return search(request, reply, {
        modelId: body.model,
        sourceSet: body.sae_set,
        text: body.text,
        selectedLayers: [],
        sortIndexes: [],
        ignoreBos: true,
        densityThreshold: NO_DENSITY_THRESHOLD,
        numResults: body.top_k ?? DEFAULT_NUM_RESULTS,
      });
    },
  );
};

export default route;
