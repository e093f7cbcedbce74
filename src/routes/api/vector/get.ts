// POST /api/vector/get: a stored vector, or an SAE feature's decoder vector from the inference server.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canReadFeature } from '../../../services/access/readable-sources.js';
import { findNeuron } from '../../../db/queries/neurons.js';
import { DomainError, NotFound } from '../../../errors.js';
import { fetchSaeVector, type SaeVector } from '../../../services/vector/sae-vector.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../../schemas/common.js';
import { FeatureRef, GetVectorResponse } from '../../../schemas/vector.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/vector/get',
    {
      schema: {
        tags: ['Vectors'],
        operationId: 'getVector',
        summary: "Get a stored vector, or an SAE feature's vector from the inference server",
        description:
          'An uploaded vector as stored (bit-identical). For an SAE feature, the inference server computes the decoder vector (`/v1/util/sae-vector`) and the answer has no createdAt or creatorId, as upstream; ' +
          '503 when no inference server is configured for the model.',
        security: KEY_OPTIONAL,
        body: FeatureRef,
        response: { 200: GetVectorResponse, ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) => {
      const key = { modelId: request.body.modelId, layer: request.body.source, index: normalizeIndex(request.body.index) };
      const neuron = await findNeuron(fastify.db, key.modelId, key.layer, key.index);
      if (neuron && !(await canReadFeature(fastify.db, key, request.viewer))) throw new NotFound('Vector not found');
      if (neuron && neuron.vector.length > 0) {
        const { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector } = neuron;
        return { vector: { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector } };
      }
      // An SAE feature's vector is not stored: the inference server computes it (upstream's answer shape).
      let fromModel: SaeVector | undefined;
      try {
        fromModel = await fetchSaeVector(fastify.db, fastify.inference, key.modelId, key.layer, key.index, request.viewer);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new NotFound('Vector not found');
        throw error;
      }
      if (!fromModel) throw new NotFound('Vector not found');
      return {
        vector: {
          modelId: key.modelId,
          layer: key.layer,
          index: key.index,
          vectorLabel: '',
          hookName: fromModel.hookName,
          vector: fromModel.vector,
          vectorDefaultSteerStrength: 10,
        },
      };
    },
  );
};

export default route;
