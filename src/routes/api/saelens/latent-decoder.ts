// GET /api/saelens/latent-decoder?repo&path&index: one latent's decoder row from an SAELens
// safetensors checkpoint on the Hugging Face hub (HF_ENDPOINT), read by byte ranges.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { fetchDecoderLatent } from '../../../services/feature/latent-decoder.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { LatentDecoderQuery, LatentDecoderResponse } from '../../../schemas/saelens.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/saelens/latent-decoder',
    {
      config: { rateLimitGroup: 'saelens-latent-decoder' },
      schema: {
        tags: ['Features'],
        operationId: 'getLatentDecoder',
        summary: "One latent's decoder vector from an SAE checkpoint on Hugging Face",
        description:
          'Reads the `W_dec` row `index` of `{HF_ENDPOINT}/{repo}/resolve/main/{path}` (F32, F16, BF16 or F64, answered as numbers) with three Range requests, sending HF_TOKEN when set. ' +
          "400 with the hub's status when it refuses the file (wrong repo or path, gated repo); 502 when the hub fails.",
        security: KEY_OPTIONAL,
        querystring: LatentDecoderQuery,
        response: { 200: LatentDecoderResponse, ...errorResponses(401, 429, 502, 504) },
      },
    },
    async (request) => fetchDecoderLatent(fastify.hub, request.query.repo, request.query.path, Number(request.query.index)),
  );
};

export default route;
