// Lists of features: /api/list/new, list, add-features, get, remove, delete, with the real
// server's bodies. A list is readable by anyone with its id (as upstream); its features are shown
// only where the reader may see them. Only the owner (or an admin) changes it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { canReadFeature } from '../../../access/readable-sources.js';
import type { Viewer } from '../../../access/viewer.js';
import { deleteList, deleteListItem, findList, insertList, insertListItems, listItems, listListsOf } from '../../../db/queries/lists.js';
import { ApiError } from '../../../errors.js';
import { readFeatures } from '../../../features/read-features.js';
import { errorResponses, FeatureIndex, KEY_REQUIRED, ModelId, normalizeIndex, SourceId } from '../../../schemas/common.js';

const ListId = Type.String({ minLength: 1, maxLength: 64 });
const open = { additionalProperties: true } as const;
const ListRow = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), userId: Type.String() }, open);

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const about = (operationId: string, summary: string, optionalAuth = false) => ({
    tags: ['Lists'],
    operationId,
    summary,
    security: optionalAuth ? [{}, ...KEY_REQUIRED] : KEY_REQUIRED,
  });
  const errors = errorResponses(401, 403, 404);

  async function ownedList(listId: string, viewer: Viewer) {
    const found = await findList(fastify.db, listId);
    if (!found) throw new ApiError('NOT_FOUND', 'List not found.');
    if (found.list.userId !== viewer.id && !viewer.admin) throw new ApiError('FORBIDDEN', 'You do not own this list.');
    return found;
  }

  fastify.post(
    '/api/list/new',
    {
      preValidation: fastify.requireUser,
      schema: {
        ...about('newList', 'Create a list'),
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 256 }),
          description: Type.Optional(Type.String({ maxLength: 4096 })),
          testText: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
        }),
        response: { 200: ListRow, ...errors },
      },
    },
    async (request) => {
      const name = request.body.name.trim();
      if (!name) throw new ApiError('BAD_REQUEST', 'Name must not be empty');
      const created = await insertList(fastify.db, request.viewer!.id, name, request.body.description ?? '', request.body.testText ?? null);
      return { ...created, user: { name: request.viewer!.name }, url: `${fastify.config.publicUrl}/list/${created.id}` };
    },
  );

  fastify.post(
    '/api/list/list',
    {
      preValidation: fastify.requireUser,
      schema: { ...about('listLists', 'Your lists'), response: { 200: Type.Array(ListRow), ...errors } },
    },
    async (request) => listListsOf(fastify.db, request.viewer!.id),
  );

  fastify.post(
    '/api/list/add-features',
    {
      preValidation: fastify.requireUser,
      schema: {
        ...about('addFeaturesToList', 'Add features to your list (at most 100 a request)'),
        body: Type.Object({
          listId: ListId,
          featuresToAdd: Type.Array(
            Type.Object({
              modelId: ModelId,
              layer: SourceId,
              index: FeatureIndex,
              description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            }),
            { minItems: 1, maxItems: 100 },
          ),
        }),
        response: {
          200: Type.Array(Type.Object({ modelId: Type.String(), layer: Type.String(), index: Type.String(), listId: Type.String() }, open)),
          ...errors,
        },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      await ownedList(request.body.listId, viewer);
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
          throw new ApiError('NOT_FOUND', `Feature ${item.modelId}/${item.layer}/${item.index} not found.`);
      }
      const added = await insertListItems(fastify.db, items);
      fastify.featureCache.clear();
      return added;
    },
  );

  fastify.post(
    '/api/list/get',
    {
      schema: {
        ...about('getList', 'Get a list with its features', true),
        body: Type.Object({ listId: ListId }),
        response: { 200: Type.Object({ id: Type.String(), neurons: Type.Array(Type.Unknown()) }, open), ...errors },
      },
    },
    async (request) => {
      const found = await findList(fastify.db, request.body.listId);
      if (!found) throw new ApiError('NOT_FOUND', 'List not found.');
      const items = await listItems(fastify.db, found.list.id);
      // Each feature as the batch read gives it (top 3 activations), where the reader may see it.
      const features = await readFeatures(fastify.db, items, request.viewer, 3);
      const byKey = new Map(features.map((f) => [`${f.modelId}\u0000${f.layer}\u0000${f.index}`, f]));
      const neurons = items.flatMap((item) => {
        const neuron = byKey.get(`${item.modelId}\u0000${item.layer}\u0000${item.index}`);
        return neuron ? [{ ...item, neuron }] : [];
      });
      return { ...found.list, user: { name: found.userName }, activations: [], neurons };
    },
  );

  fastify.post(
    '/api/list/remove',
    {
      preValidation: fastify.requireUser,
      schema: {
        ...about('removeFromList', 'Remove a feature from your list'),
        body: Type.Object({ listId: ListId, modelId: ModelId, layer: SourceId, index: FeatureIndex }),
        response: { 200: Type.Object({ listId: Type.String() }, open), ...errors },
      },
    },
    async (request) => {
      await ownedList(request.body.listId, request.viewer!);
      const removed = await deleteListItem(
        fastify.db,
        request.body.listId,
        request.body.modelId,
        request.body.layer,
        normalizeIndex(request.body.index),
      );
      if (!removed) throw new ApiError('NOT_FOUND', 'That feature is not in the list.');
      fastify.featureCache.clear();
      return removed;
    },
  );

  fastify.post(
    '/api/list/delete',
    {
      preValidation: fastify.requireUser,
      schema: {
        ...about('deleteList', 'Delete your list'),
        body: Type.Object({ listId: ListId }),
        response: { 200: Type.Boolean(), ...errors },
      },
    },
    async (request) => {
      await ownedList(request.body.listId, request.viewer!);
      await deleteList(fastify.db, request.body.listId);
      fastify.featureCache.clear();
      return true;
    },
  );
};

export default route;
