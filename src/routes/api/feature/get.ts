// GET /api/feature/{modelId}/{layer}/{index}: one feature with everything its page shows.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canReadAll } from '../../../services/access/viewer.js';
import { NotFound } from '../../../errors.js';
import { FeatureCache } from '../../../services/feature/feature-cache.js';
import { readFeatureJson } from '../../../services/feature/read-feature-json.js';
import { sendReusableJson } from '../../../http/send-json-text.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../../schemas/common.js';
import { FeatureParams, FeatureResponse } from '../../../schemas/feature.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/feature/:modelId/:layer/:index',
    {
      schema: {
        tags: ['Features'],
        operationId: 'getFeature',
        summary: 'Get a feature',
        description:
          'A feature (SAE latent or neuron) with its model, source, source set, activations (strongest first) and explanations with scores. ' +
          '`layer` is the source id, e.g. `6-res-jb`. Private features answer 404 to anyone but their owner.',
        security: KEY_OPTIONAL,
        params: FeatureParams,
        response: { 200: FeatureResponse, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const key = { modelId: request.params.modelId, layer: request.params.layer, index: normalizeIndex(request.params.index) };
      const cacheKey = FeatureCache.key(key.modelId, key.layer, key.index);
      const cached = fastify.featureCache.get(cacheKey);
      if (cached) {
        if (!canReadAll(cached.guards, request.viewer)) throw new NotFound();
        return sendReusableJson(request, reply, cached);
      }
      // One query builds the answer's JSON, in the order the response schema writes it; the bytes
      // are kept for the next reader.
      const result = await readFeatureJson(fastify.db, key, request.viewer);
      if (!result.found) throw new NotFound();
      const entry = { body: Buffer.from(result.body), guards: result.guards };
      fastify.featureCache.set(cacheKey, entry);
      return sendReusableJson(request, reply, entry);
    },
  );
};

export default route;
