// POST /api/steer: a completion with and without steering by features or vectors (inference
// server). Cached, answered and streamed as src/http/steer-answer.ts says.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SteerBody, SteerResponse } from '../../schemas/steer.js';
import { prepareCompletion } from '../../services/steer/completion.js';
import { answer, limitOf, steerServices, steerSettings } from '../../http/steer-answer.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services = steerServices(fastify);

  fastify.post(
    '/api/steer',
    {
      config: { rateLimitGroup: 'steer' },
      schema: {
        tags: ['Steering'],
        operationId: 'steer',
        summary: 'Steer a completion with features or vectors (inference server)',
        description:
          'Generates the completion of `prompt` with and without steering: keys `STEERED` and `DEFAULT`, with logprobs. Saved outputs with the same settings are returned without running the model ' +
          '(a DEFAULT is shared by every feature set). `stream: true` answers server-sent events. Counts against the steering rate limit (`limit` = requests left). 503 when no inference server is configured.',
        security: KEY_OPTIONAL,
        body: SteerBody,
        response: { 200: SteerResponse, ...errorResponses(401, 404, 429, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const prepared = await prepareCompletion(services, { prompt: body.prompt, ...steerSettings(body) }, request.viewer, limitOf(request));
      return answer(request, reply, prepared, body.stream === true);
    },
  );
};

export default route;
