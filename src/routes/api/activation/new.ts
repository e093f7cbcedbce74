// POST /api/activation/new: activations of one feature or steering vector on new text (inference server).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { InvalidInput } from '../../../errors.js';
import { activationForText } from '../../../services/activation/activations.js';
import { NewActivationBody, NewActivationResponse } from '../../../schemas/activation.js';
import { errorResponses, KEY_OPTIONAL, normalizeIndex } from '../../../schemas/common.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/activation/new',
    {
      config: { rateLimitGroup: 'activation-new' },
      schema: {
        tags: ['Activations'],
        operationId: 'newActivation',
        summary: 'Feature activation for new text (inference server)',
        description:
          'Activation values of one feature (or uploaded steering vector) on custom text, as on a feature page. `feature` (or `neuron`) names it; `customText` is one text or several. ' +
          'ignoreBos drops a leading special token. 503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: NewActivationBody,
        response: { 200: NewActivationResponse, ...errorResponses(401, 404, 429, 502, 503, 504) },
      },
    },
    async (request) => {
      const { customText, ignoreBos } = request.body;
      const ref = request.body.neuron ?? request.body.feature;
      const layer = ref?.layer ?? ref?.source;
      if (!ref || !layer) throw new InvalidInput('Invalid feature.');
      if (!customText || customText.length === 0) throw new InvalidInput('Missing custom text.');
      return activationForText(
        fastify.db,
        fastify.inference,
        { modelId: ref.modelId, layer, index: normalizeIndex(ref.index) },
        customText,
        ignoreBos === true,
        request.viewer,
      );
    },
  );
};

export default route;
