// POST /api/cossim {modelId, source, index, targetModelId, targetSourceId}: the target source's
// features nearest to a feature by decoder cosine similarity (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { topkByDecoderCossim } from '../../services/feature/cossim.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../schemas/common.js';
import { CossimBody, CossimResponse } from '../../schemas/source-reads.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/cossim',
    {
      schema: {
        tags: ['Features'],
        operationId: 'cossim',
        summary: 'Top features of a target source by decoder cosine similarity (inference server)',
        description:
          "The inference server's `/v1/util/sae-topk-by-decoder-cossim` answer as is (10 results): an uploaded vector is compared by its stored values, an SAE feature by name. " +
          "(neuronpedia.org currently wraps it in its HTTP client's result, `{data: {…}, response: {}}`; its own feature page reads `topkDecoderCossimFeatures` at the top level, as answered here.) " +
          '503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: CossimBody,
        response: { 200: CossimResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) =>
      topkByDecoderCossim(fastify.db, fastify.inference, { ...request.body, index: normalizeIndex(request.body.index) }, request.viewer),
  );
};

export default route;
