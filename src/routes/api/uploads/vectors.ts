// Steering vectors: POST /api/vector/new (and the docs page's /api/upload/vector), /api/vector/get,
// /api/vector/delete, /api/vector/list-owned, with the real server's bodies and messages. Vectors
// are stored as double precision, so they read back bit-identical (the Python client compares ==).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { canReadFeature } from '../../../access/readable-sources.js';
import { canRead } from '../../../access/viewer.js';
import { deleteNeuron, ensureVectorSource, findModel, findNeuron, insertNeuron, listVectorsOf } from '../../../db/queries/uploads.js';
import { ApiError } from '../../../errors.js';
import { fetchSaeVector, type SaeVector } from '../../../inference/sae-vector.js';
import { DateTime, errorResponses, FloatArray, KEY_REQUIRED, normalizeIndex, Nullable } from '../../../schemas/common.js';
import { FeatureRef, MessageResponse, NewVectorBody } from '../../../schemas/uploads.js';
import { DEFAULT_CREATOR_ID } from '../../../constants.js';

const HOOK_SET_SUFFIX = { hook_resid_pre: 'resid-pre', hook_resid_post: 'resid-post' } as const;

const StoredVector = Type.Object({
  modelId: Type.String(),
  layer: Type.String(),
  index: Type.String(),
  vectorLabel: Nullable(Type.String()),
  createdAt: Type.Optional(DateTime),
  creatorId: Type.Optional(Nullable(Type.String())),
  vectorDefaultSteerStrength: Nullable(Type.Number()),
  hookName: Nullable(Type.String()),
  vector: FloatArray,
});

const NewVectorResponse = Type.Object({
  message: Type.String(),
  url: Type.String(),
  vector: Type.Object({
    modelId: Type.String(),
    source: Type.String(),
    index: Type.String(),
    label: Nullable(Type.String()),
    createdAt: DateTime,
    defaultSteerStrength: Nullable(Type.Number()),
    hookName: Nullable(Type.String()),
    values: FloatArray,
  }),
});

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const notFound = () => new ApiError('NOT_FOUND', 'Vector not found');

  for (const [url, operationId] of [
    ['/api/vector/new', 'newVector'],
    ['/api/upload/vector', 'uploadVector'],
  ] as const) {
    fastify.post(
      url,
      {
        preValidation: fastify.requireUser,
        schema: {
          tags: ['Vectors'],
          operationId,
          summary:
            url === '/api/vector/new' ? 'Upload a steering vector' : 'Upload a steering vector (docs page path; same as /api/vector/new)',
          description:
            "Stored in source `<layerNumber>-neuronpedia-resid-pre` (or `-post`) under a new random index. The vector must have the model's dimension.",
          security: KEY_REQUIRED,
          body: NewVectorBody,
          response: { 200: NewVectorResponse, ...errorResponses(401) },
        },
      },
      async (request) => {
        const body = request.body;
        const viewer = request.viewer!;
        const model = await findModel(fastify.db, body.modelId);
        if (!model || !canRead(model, viewer)) throw new ApiError('BAD_REQUEST', 'Model not found');
        if (body.layerNumber >= model.layers) throw new ApiError('BAD_REQUEST', "Layer number is greater than model's numLayers");
        if (body.vector.length !== model.dimension) throw new ApiError('BAD_REQUEST', 'Vector dimension does not match model dimension');
        const setName = `neuronpedia-${HOOK_SET_SUFFIX[body.hookType]}`;
        const sourceId = await ensureVectorSource(fastify.db, model.id, body.layerNumber, setName, DEFAULT_CREATOR_ID);
        // As upstream: a random index in [90000000, 180000000); try again on the rare collision.
        for (let attempt = 0; attempt < 5; attempt++) {
          const index = String(Math.floor(Math.random() * 90_000_000) + 90_000_000);
          const vector = await insertNeuron(fastify.db, {
            modelId: model.id,
            layer: sourceId,
            index,
            creatorId: viewer.id,
            maxActApprox: 0,
            hasVector: true,
            vector: body.vector,
            vectorLabel: body.vectorLabel,
            hookName: `blocks.${body.layerNumber}.${body.hookType}`,
            vectorDefaultSteerStrength: body.vectorDefaultSteerStrength ?? 10,
            visibility: body.visibility ?? 'PRIVATE',
          });
          if (!vector) continue;
          fastify.featureCache.clear();
          return {
            message: 'Success',
            url: `${fastify.config.publicUrl}/${vector.modelId}/${vector.layer}/${vector.index}`,
            vector: {
              modelId: vector.modelId,
              source: vector.layer,
              index: vector.index,
              label: vector.vectorLabel,
              createdAt: vector.createdAt,
              defaultSteerStrength: vector.vectorDefaultSteerStrength,
              hookName: vector.hookName,
              values: vector.vector,
            },
          };
        }
        throw new Error('could not find a free index for the vector');
      },
    );
  }

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
        security: [{}, ...KEY_REQUIRED],
        body: FeatureRef,
        response: { 200: Type.Object({ vector: StoredVector }), ...errorResponses(401, 404, 502, 503, 504) },
      },
    },
    async (request) => {
      const key = { modelId: request.body.modelId, layer: request.body.source, index: normalizeIndex(request.body.index) };
      const neuron = await findNeuron(fastify.db, key.modelId, key.layer, key.index);
      if (neuron && !(await canReadFeature(fastify.db, key, request.viewer))) throw notFound();
      if (neuron && neuron.vector.length > 0) {
        const { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector } = neuron;
        return { vector: { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector } };
      }
      // An SAE feature's vector is not stored: the inference server computes it (upstream's answer shape).
      let fromModel: SaeVector | undefined;
      try {
        fromModel = await fetchSaeVector(
          fastify.db,
          fastify.inference,
          key.modelId,
          key.layer,
          key.index,
          request.viewer,
          fastify.config.publicUrl,
        );
      } catch (error) {
        if (error instanceof ApiError && error.code === 'NOT_FOUND') throw notFound();
        throw error;
      }
      if (!fromModel) throw notFound();
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

  fastify.post(
    '/api/vector/delete',
    {
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
      if (!neuron || !neuron.hasVector) throw notFound();
      if (neuron.creatorId !== request.viewer!.id && !request.viewer!.admin)
        throw new ApiError('FORBIDDEN', 'Only the creator of a vector can delete it.');
      await deleteNeuron(fastify.db, key.modelId, key.layer, key.index);
      fastify.featureCache.clear();
      return { message: 'Success' };
    },
  );

  fastify.post(
    '/api/vector/list-owned',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Vectors'],
        operationId: 'listOwnedVectors',
        summary: 'List your vectors',
        security: KEY_REQUIRED,
        response: { 200: Type.Object({ vectors: Type.Array(StoredVector) }), ...errorResponses(401) },
      },
    },
    async (request) => ({ vectors: await listVectorsOf(fastify.db, request.viewer!.id) }),
  );
};

export default route;
