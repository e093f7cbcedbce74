// POST /api/model/head-attention/get {modelId, layer, headIndex, text}: one attention head's
// pattern on custom text (inference server), shaped as a stored head sequence.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { headAttention } from '../../../../services/catalog/head-attention.js';
import { errorResponses, KEY_OPTIONAL } from '../../../../schemas/common.js';
import { HeadAttentionBody, HeadAttentionResponse } from '../../../../schemas/model.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/head-attention/get',
    {
      schema: {
        tags: ['Models'],
        operationId: 'getHeadAttention',
        summary: "An attention head's pattern on custom text (inference server)",
        description:
          "The inference server's `/v1/activation/attention` answer (sparse: `attentionIndices` are `query * seqLen + key`) as a head sequence with id `custom-{layer}-{head}` and interval 0. " +
          '400 "Please enter some text." for blank text; 503 when no inference server is configured for the model.',
        security: KEY_OPTIONAL,
        body: HeadAttentionBody,
        response: { 200: HeadAttentionResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) =>
      headAttention(
        fastify.db,
        fastify.inference,
        { ...request.body, layer: Number(request.body.layer), headIndex: Number(request.body.headIndex) },
        request.viewer,
      ),
  );
};

export default route;
