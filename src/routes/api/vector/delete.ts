// POST /api/vector/delete: deletes one of your vectors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canReadFeature } from '../../../services/access/readable-sources.js';
import { deleteNeuron, findNeuron } from '../../../db/queries/neurons.js';
import { Forbidden, NotFound } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED, MessageResponse, normalizeIndex } from '../../../schemas/common.js';
import { FeatureRef } from '../../../schemas/vector.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/vector/delete',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Vectors'],
        operationId: 'deleteVector',
        summary: 'Delete one of your vectors',
        security: KEY_REQUIRED,
        body: FeatureRef,
        response: { 200: MessageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const key = { modelId: request.body.modelId, layer: request.body.source, index: normalizeIndex(request.body.index) };
      const neuron = (await canReadFeature(fastify.db, key, request.viewer))
        ? await findNeuron(fastify.db, key.modelId, key.layer, key.index)
        : undefined;
      if (!neuron || !neuron.hasVector) throw new NotFound('Vector not found');
      if (neuron.creatorId !== request.viewer!.id && !request.viewer!.admin)
        throw new Forbidden('Only the creator of a vector can delete it.');
      await deleteNeuron(fastify.db, key.modelId, key.layer, key.index);
      return { message: 'Success' };
    },
  );
};

export default route;
