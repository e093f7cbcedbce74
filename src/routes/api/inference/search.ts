// Search by text through the inference server: POST /api/search-all, the docs page's POST
// /api/search (same search, docs field names), and POST /api/search-topk-by-token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendJsonText } from '../../../http/send-json-text.js';
import { DEFAULT_NUM_RESULTS, NO_DENSITY_THRESHOLD, searchAll } from '../../../inference/search-all.js';
import { searchTopkByToken } from '../../../inference/topk-by-token.js';
import { errorResponses, KEY_OPTIONAL, ModelId, SourceId } from '../../../schemas/common.js';

const MAX_TEXT_CHARS = 65_536;
const MAX_TEXTS = 256;
const Text = Type.Union(
  [Type.String({ maxLength: MAX_TEXT_CHARS }), Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { maxItems: MAX_TEXTS })],
  {
    description: `The text to search with, or several (at most ${MAX_TEXTS}); several are searched in one batch without joining features.`,
  },
);
const SetName = Type.String({ minLength: 1, maxLength: 256, description: 'Source set (SAE set), e.g. `res-jb`.' });
const Result = Type.Object(
  {
    modelId: Type.String(),
    layer: Type.String(),
    index: Type.String(),
    values: Type.Array(Type.Number()),
    maxValue: Type.Number(),
    maxValueIndex: Type.Integer(),
    neuron: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'The feature: Neuron row, top activation, explanations, model.' }),
    ),
  },
  { additionalProperties: true },
);
const SearchResponse = Type.Union([
  Type.Object({ tokens: Type.Array(Type.String()), result: Type.Array(Result), sortIndexes: Type.Array(Type.Integer()) }),
  Type.Object({
    results: Type.Array(
      Type.Object({ tokens: Type.Array(Type.String()), result: Type.Array(Result), sortIndexes: Type.Array(Type.Integer()) }),
    ),
  }),
]);
const errors = errorResponses(401, 404, 429, 502, 503, 504);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const { db, inference } = fastify;
  const publicUrl = fastify.config.publicUrl;

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
        body: Type.Object({
          modelId: ModelId,
          sourceSet: SetName,
          text: Text,
          selectedLayers: Type.Optional(
            Type.Array(SourceId, { maxItems: 1024, description: 'Sources to search; empty or absent: all of the set.' }),
          ),
          sortIndexes: Type.Optional(
            Type.Array(Type.Integer({ minimum: 0, maximum: 100_000 }), {
              maxItems: 1024,
              description: 'Token positions to rank by (sum of activations there); empty: rank by max activation.',
            }),
          ),
          ignoreBos: Type.Optional(Type.Boolean({ default: true })),
          densityThreshold: Type.Optional(Type.Number({ description: 'Between 0 and 1, or -1 (default) for no filter.' })),
          numResults: Type.Optional(Type.Integer({ description: `1 to 100, default ${DEFAULT_NUM_RESULTS}.` })),
        }),
        response: { 200: SearchResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const found = await searchAll(
        db,
        inference,
        fastify.featureCache,
        {
          modelId: body.modelId,
          sourceSet: body.sourceSet,
          text: body.text,
          selectedLayers: body.selectedLayers ?? [],
          sortIndexes: body.sortIndexes ?? [],
          ignoreBos: body.ignoreBos ?? true,
          densityThreshold: body.densityThreshold || NO_DENSITY_THRESHOLD,
          numResults: body.numResults ?? DEFAULT_NUM_RESULTS,
        },
        request.viewer,
        publicUrl,
      );
      // searchAll answers with JSON text, sent as it is: SearchResponse documents the answer, but
      // serializing a union of large open-ended objects through it would validate every result to
      // pick a branch, which cost more than the whole database join (scripts/bench-inference.ts).
      return sendJsonText(reply, found);
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
        body: Type.Object({
          model: ModelId,
          sae_set: SetName,
          text: Text,
          top_k: Type.Optional(Type.Integer({ description: `1 to 100, default ${DEFAULT_NUM_RESULTS}.` })),
        }),
        response: { 200: SearchResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const found = await searchAll(
        db,
        inference,
        fastify.featureCache,
        {
          modelId: body.model,
          sourceSet: body.sae_set,
          text: body.text,
          selectedLayers: [],
          sortIndexes: [],
          ignoreBos: true,
          densityThreshold: NO_DENSITY_THRESHOLD,
          numResults: body.top_k ?? DEFAULT_NUM_RESULTS,
        },
        request.viewer,
        publicUrl,
      );
      return sendJsonText(reply, found);
    },
  );

  fastify.post(
    '/api/search-topk-by-token',
    {
      config: { rateLimitGroup: 'search-topk' },
      schema: {
        tags: ['Search'],
        operationId: 'searchTopkByToken',
        summary: 'Top features at each token (inference server)',
        description:
          'For each token of the text, the features of one source that activate most there, with the feature and its newest explanation. ' +
          'ignoreBos drops special tokens; densityThreshold (default 0.01; -1 or 0 for none) keeps only features at most that dense. 503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: Type.Object({
          modelId: Type.String({ minLength: 1, maxLength: 50 }),
          source: Type.String({ minLength: 1, maxLength: 50 }),
          text: Text,
          numResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 10 })),
          ignoreBos: Type.Optional(Type.Boolean({ default: true })),
          densityThreshold: Type.Optional(Type.Number({ default: 0.01 })),
        }),
        response: {
          200: Type.Union([
            Type.Object({ source: Type.String(), results: Type.Array(Type.Object({}, { additionalProperties: true })) }),
            Type.Object({
              results: Type.Array(
                Type.Object({ source: Type.String(), results: Type.Array(Type.Object({}, { additionalProperties: true })) }),
              ),
            }),
          ]),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body;
      return searchTopkByToken(
        db,
        inference,
        {
          modelId: body.modelId,
          source: body.source,
          text: body.text,
          numResults: body.numResults ?? 10,
          ignoreBos: body.ignoreBos ?? true,
          densityThreshold: body.densityThreshold ?? 0.01,
        },
        request.viewer,
        publicUrl,
      );
    },
  );
};

export default route;
