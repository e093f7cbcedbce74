// POST /api/activation/get: all activations of one feature, strongest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canReadFeature } from '../../../services/access/readable-sources.js';
import { listActivations } from '../../../db/queries/activations.js';
import { NotFound } from '../../../errors.js';
import { GetActivationsBody, GetActivationsResponse } from '../../../schemas/activation.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../../schemas/common.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/activation/get',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'getActivations',
        summary: 'Get activations',
        description: 'All activations of a feature, maxValue descending. 404 when there are none or the caller may not read the source.',
        security: KEY_OPTIONAL,
        body: GetActivationsBody,
        response: { 200: GetActivationsResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const key = { modelId: request.body.modelId, layer: request.body.source, index: normalizeIndex(request.body.index) };
      // Upstream checks no access here; a mirror with private data must.
      const activations = (await canReadFeature(fastify.db, key, request.viewer)) ? await listActivations(fastify.db, key) : [];
      if (activations.length === 0) throw new NotFound();
      return activations.map((a) => ({ ...a, source: a.layer }));
    },
  );
};

export default route;
