// POST /api/vector/new: uploads a steering vector, with the real server's body and messages. Also
// serves the docs page's alias POST /api/upload/vector. Vectors are stored as double precision, so
// they read back bit-identical (the Python client compares ==).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canRead } from '../../../services/access/viewer.js';
import { DEFAULT_CREATOR_ID } from '../../../constants.js';
import { findModel } from '../../../db/queries/models.js';
import { insertNeuron } from '../../../db/queries/neurons.js';
import { ensureVectorSource } from '../../../db/queries/sources.js';
import { InvalidInput } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewVectorBody, NewVectorResponse } from '../../../schemas/vector.js';

const HOOK_SET_SUFFIX = { hook_resid_pre: 'resid-pre', hook_resid_post: 'resid-post' } as const;

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const [url, operationId] of [
    ['/api/vector/new', 'newVector'],
    ['/api/upload/vector', 'uploadVector'],
  ] as const) {
    fastify.post(
      url,
      {
        config: { clearsFeatureCache: true },
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
        if (!model || !canRead(model, viewer)) throw new InvalidInput('Model not found');
        if (body.layerNumber >= model.layers) throw new InvalidInput("Layer number is greater than model's numLayers");
        if (body.vector.length !== model.dimension) throw new InvalidInput('Vector dimension does not match model dimension');
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
};

export default route;
