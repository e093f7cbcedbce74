// Activations of new text (inference server): POST /api/activation/new for one feature or
// steering vector, POST /api/activation/source for every feature of a source.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../../errors.js';
import { activationForText, activationsOfSource } from '../../../inference/activations.js';
import { errorResponses, FeatureIndex, KEY_OPTIONAL, ModelId, normalizeIndex, SourceId } from '../../../schemas/common.js';

const MAX_TEXT_CHARS = 65_536;
const FeatureRef = Type.Object({ modelId: ModelId, source: Type.Optional(SourceId), layer: Type.Optional(SourceId), index: FeatureIndex });
const Activation = Type.Object(
  {
    tokens: Type.Array(Type.String()),
    values: Type.Array(Type.Number()),
    maxValue: Type.Number(),
    minValue: Type.Number(),
    maxValueTokenIndex: Type.Integer(),
  },
  { additionalProperties: true },
);
const errors = errorResponses(401, 404, 429, 502, 503, 504);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const { db, inference } = fastify;
  const publicUrl = fastify.config.publicUrl;

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
        body: Type.Object({
          feature: Type.Optional(FeatureRef),
          neuron: Type.Optional(FeatureRef),
          customText: Type.Optional(
            Type.Union([
              Type.String({ maxLength: MAX_TEXT_CHARS }),
              Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { minItems: 1, maxItems: 64 }),
            ]),
          ),
          ignoreBos: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: { 200: Type.Union([Activation, Type.Array(Activation)]), ...errors },
      },
    },
    async (request) => {
      const { customText, ignoreBos } = request.body;
      const ref = request.body.neuron ?? request.body.feature;
      const layer = ref?.layer ?? ref?.source;
      if (!ref || !layer) throw new ApiError('BAD_REQUEST', 'Invalid feature.');
      if (!customText || customText.length === 0) throw new ApiError('BAD_REQUEST', 'Missing custom text.');
      return activationForText(
        db,
        inference,
        { modelId: ref.modelId, layer, index: normalizeIndex(ref.index) },
        customText,
        ignoreBos === true,
        request.viewer,
        publicUrl,
      );
    },
  );

  fastify.post(
    '/api/activation/source',
    {
      schema: {
        tags: ['Activations'],
        operationId: 'sourceActivations',
        summary: 'All feature activations of a source for new text (inference server)',
        description:
          'Every feature of the source that fires on the text: `{results: [{tokens, activeFeatures: {index: [[tokenIndex, value], …]}}]}`. customText: one text, or up to 4.',
        security: KEY_OPTIONAL,
        body: Type.Object({
          modelId: ModelId,
          source: SourceId,
          customText: Type.Union([
            Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS }),
            Type.Array(Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS }), { minItems: 1, maxItems: 4 }),
          ]),
        }),
        response: {
          200: Type.Object({ results: Type.Array(Type.Object({ tokens: Type.Array(Type.String()) }, { additionalProperties: true })) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { modelId, source, customText } = request.body;
      return activationsOfSource(
        db,
        inference,
        modelId,
        source,
        Array.isArray(customText) ? customText : [customText],
        request.viewer,
        publicUrl,
      );
    },
  );
};

export default route;
