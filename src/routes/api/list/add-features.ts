// POST /api/list/add-features: adds features to your list (at most 100 a request).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canReadFeature } from '../../../services/access/readable-sources.js';
import { insertListItems } from '../../../db/queries/lists.js';
import { NotFound } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED, normalizeIndex } from '../../../schemas/common.js';
import { AddFeaturesBody, AddFeaturesResponse } from '../../../schemas/list.js';
import { ownedList } from './_owned-list.js';

const errors = errorResponses(401, 403, 404);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/list/add-features',
    {
      config: { clearsFeatureCache: true },
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Lists'],
        operationId: 'addFeaturesToList',
        summary: 'Add features to your list (at most 100 a request)',
        security: KEY_REQUIRED,
        body: AddFeaturesBody,
        response: { 200: AddFeaturesResponse, ...errors },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      await ownedList(fastify.db, request.body.listId, viewer);
      const items = request.body.featuresToAdd.map((f) => ({
        modelId: f.modelId,
        layer: f.layer,
        index: normalizeIndex(f.index),
        description: f.description ?? null,
        listId: request.body.listId,
        userId: viewer.id,
      }));
      for (const item of items) {
        if (!(await canReadFeature(fastify.db, item, viewer)))
          throw new NotFound(`Feature ${item.modelId}/${item.layer}/${item.index} not found.`);
      }
      const added = await insertListItems(fastify.db, items);
      return added;
    },
  );
};

export default route;
