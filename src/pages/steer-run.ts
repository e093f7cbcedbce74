// POST /steer/run: the /steer page's steering request. /api/steer ignores the session cookie (a
// browser session must not be usable against the API), so the page posts here instead: the same
// body, service and answer (JSON, or the same server-sent events with `stream: true`) as
// /api/steer, with the session's viewer, so a signed-in user steers their private features and
// vectors. The session's CSRF token comes in the `x-csrf-token` header (the double-submit cookie's
// when nobody is signed in); it counts in the `steer` rate-limit group, as /api/steer does. Errors
// are the API's JSON, since a script reads them.
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { answer, limitOf, steerServices, steerSettings } from '../http/steer-answer.js';
import { jsonErrorHandler } from '../plugins/app/errors.js';
import { SteerBody } from '../schemas/steer.js';
import { prepareCompletion } from '../services/steer/completion.js';
import { checkCsrf } from './session.js';

export const STEER_RUN_PATH = '/steer/run';
export const CSRF_HEADER = 'x-csrf-token';

export default async function steerRun(fastify: FastifyInstance) {
  const services = steerServices(fastify);
  fastify.post<{ Body: Static<typeof SteerBody> }>(
    STEER_RUN_PATH,
    {
      config: { rateLimitGroup: 'steer' },
      schema: { body: SteerBody },
      errorHandler: jsonErrorHandler,
      // The token is checked before the body is validated: a forged request learns nothing.
      preValidation: async (request) => checkCsrf(request, request.headers[CSRF_HEADER]),
    },
    async (request, reply) => {
      const body = request.body;
      const prepared = await prepareCompletion(services, { prompt: body.prompt, ...steerSettings(body) }, request.viewer, limitOf(request));
      return answer(request, reply, prepared, body.stream === true);
    },
  );
}
