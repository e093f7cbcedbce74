// POST /api/source-set/new: a source set of one of your models, with one source per layer, to
// upload features into.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canRead } from '../../../services/access/viewer.js';
import { findModel } from '../../../db/queries/models.js';
import { findSourceSet, insertSourceSetWithSources, listSourcesOfSet } from '../../../db/queries/sources.js';
import { InvalidInput } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewSourceSetBody, SourceSetResponse } from '../../../schemas/source-set.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
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
      if (name === 'neurons') throw new InvalidInput('Name cannot be "neurons"', { path: 'name' });
      if (name.includes('--')) throw new InvalidInput('Name cannot contain double hyphens', { path: 'name' });
      const model = await findModel(fastify.db, modelId);
      if (!model || !canRead(model, request.viewer)) throw new InvalidInput('Model not found', { path: 'modelId' });
      if (await findSourceSet(fastify.db, modelId, name))
        throw new InvalidInput('Source set name already exists for this model.', { path: 'name' });
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
