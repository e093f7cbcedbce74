// GET /health: answers 200 only when the database answers a query.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ping } from '../db/client.js';
import { sendError } from '../plugins/app/errors.js';
import { errorResponses } from '../schemas/common.js';
import { HealthResponse } from '../schemas/health.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/health',
    {
      schema: {
        tags: ['Health'],
        operationId: 'health',
        summary: 'Liveness and database check',
        response: {
          200: HealthResponse,
          ...errorResponses(503),
        },
      },
    },
    async (request, reply) => {
      try {
        await ping(fastify.db);
      } catch (error) {
        request.log.error({ err: error }, 'health check: database query failed');
        return sendError(reply, 503, 'DATABASE_UNAVAILABLE', 'The database is not answering.');
      }
      return { status: 'healthy' as const, database: fastify.database.kind };
    },
  );
};

export default route;
