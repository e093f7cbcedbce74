// POST /api/model/new: a user's own model, to upload source sets and features into.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { findModel, insertModel } from '../../../db/queries/models.js';
import { InvalidInput } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { NewModelBody } from '../../../schemas/model.js';
import { ModelRow } from '../../../schemas/rows.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/model/new',
    {
      config: { clearsFeatureCache: true },
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
      if (body.id.includes('--')) throw new InvalidInput('Name cannot contain double hyphens', { path: 'id' });
      if (body.id.includes('..')) throw new InvalidInput('Name cannot contain double periods', { path: 'id' });
      if (await findModel(fastify.db, body.id)) throw new InvalidInput('Model already exists', { path: 'id' });
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
      return created;
    },
  );
};

export default route;
