// POST /api/model/new and /api/source-set/new: a user's own model, and a source set with one source
// per layer, to upload features into.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canRead } from '../../../access/viewer.js';
import { findSourceSet, listSourcesOfSet } from '../../../db/queries/sources.js';
import { findModel, insertModel, insertSourceSetWithSources } from '../../../db/queries/uploads.js';
import { ApiError } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { ModelRow } from '../../../schemas/rows.js';
import { SourceSetResponse } from '../../../schemas/source-set.js';
import { NewModelBody, NewSourceSetBody } from '../../../schemas/uploads.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/new',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Models'],
        operationId: 'newModel',
        summary: 'Create a model',
        security: KEY_REQUIRED,
        body: NewModelBody,
        response: { 200: ModelRow, ...errorResponses(401) },
      },
    },
    async (request) => {
      const body = request.body;
      if (body.id.includes('--')) throw new ApiError('BAD_REQUEST', 'Name cannot contain double hyphens', { path: 'id' });
      if (body.id.includes('..')) throw new ApiError('BAD_REQUEST', 'Name cannot contain double periods', { path: 'id' });
      if (await findModel(fastify.db, body.id)) throw new ApiError('BAD_REQUEST', 'Model already exists', { path: 'id' });
      const now = new Date();
      const created = await insertModel(fastify.db, {
        id: body.id,
        creatorId: request.viewer!.id,
        layers: body.layers,
        displayName: body.displayName ?? body.id,
        displayNameShort: body.displayName ?? body.id,
        website: body.url ?? null,
        dimension: body.dimension ?? null,
        visibility: body.visibility ?? 'PRIVATE',
        neuronsPerLayer: 0,
        owner: 'custom',
        createdAt: now,
        updatedAt: now,
      });
      fastify.featureCache.clear();
      return created;
    },
  );

  fastify.post(
    '/api/source-set/new',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Sources'],
        operationId: 'newSourceSet',
        summary: 'Create a source set with one source per layer',
        security: KEY_REQUIRED,
        body: NewSourceSetBody,
        response: { 200: SourceSetResponse, ...errorResponses(401) },
      },
    },
    async (request) => {
      const { name, modelId, description, url, visibility } = request.body;
      if (name === 'neurons') throw new ApiError('BAD_REQUEST', 'Name cannot be "neurons"', { path: 'name' });
      if (name.includes('--')) throw new ApiError('BAD_REQUEST', 'Name cannot contain double hyphens', { path: 'name' });
      const model = await findModel(fastify.db, modelId);
      if (!model || !canRead(model, request.viewer)) throw new ApiError('BAD_REQUEST', 'Model not found', { path: 'modelId' });
      if (await findSourceSet(fastify.db, modelId, name))
        throw new ApiError('BAD_REQUEST', 'Source set name already exists for this model.', { path: 'name' });
      const viewer = request.viewer!;
      await insertSourceSetWithSources(
        fastify.db,
        {
          name,
          modelId,
          description: description ?? name,
          urls: [url ?? ''],
          visibility: visibility ?? 'PRIVATE',
          type: 'Custom',
          creatorName: viewer.name,
          creatorId: viewer.id,
          allowInferenceSearch: false,
        },
        model.layers,
      );
      const found = (await findSourceSet(fastify.db, modelId, name))!;
      return { ...found.sourceSet, sources: await listSourcesOfSet(fastify.db, modelId, name), releases: null, model: found.model };
    },
  );
};

export default route;
