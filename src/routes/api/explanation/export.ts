// GET /api/explanation/export?modelId=…&saeId=…: all explanations of one source that you may read,
// streamed. neuronpedia.org removed this route (400, pointing at its S3 exports); SAELens's
// tutorial still calls it and parses the answer as one JSON array, which is the default here.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { exportSourceExplanations } from '../../../services/explanation/export.js';
import { errorResponses, KEY_OPTIONAL } from '../../../schemas/common.js';
import { ExportExplanationsQuery } from '../../../schemas/explanation.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/api/explanation/export',
    {
      schema: {
        tags: ['Explanations'],
        operationId: 'exportExplanations',
        summary: "Export a source's explanations",
        description:
          'Every explanation of the source `saeId` of model `modelId` (all columns but the embedding), in id order, streamed. ' +
          '`format=jsonl` (or `Accept: application/x-ndjson`) gives one explanation a line instead of one JSON array.',
        security: KEY_OPTIONAL,
        querystring: ExportExplanationsQuery,
        response: {
          // Unsafe<unknown>: the handler sends a stream, which Fastify writes as is (no serializer).
          200: Type.Unsafe<unknown>(
            Type.Array(Type.Object({ id: Type.String(), description: Type.String() }, { additionalProperties: true })),
          ),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request, reply) => {
      const { modelId, saeId } = request.query;
      const format = request.query.format ?? (request.headers.accept?.includes('application/x-ndjson') ? 'jsonl' : 'json');
      const chunks = await exportSourceExplanations(fastify.db, { modelId, layer: saeId, format }, request.viewer);
      reply.type(format === 'json' ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `inline; filename="${modelId}_${saeId}.${format}"`.replace(/[^\x20-\x7e]/g, '_'));
      return reply.send(Readable.from(chunks));
    },
  );
};

export default route;
