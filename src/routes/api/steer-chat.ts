// POST /api/steer-chat: the next chat reply with and without steering by features or vectors
// (inference server). Cached, answered and streamed as src/http/steer-answer.ts says.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { SteerChatBody, SteerChatResponse } from '../../schemas/steer.js';
import { prepareChat } from '../../services/steer/chat.js';
import { answer, limitOf, steerServices, steerSettings } from '../../http/steer-answer.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services = steerServices(fastify);

  fastify.post(
    '/api/steer-chat',
    {
      config: { rateLimitGroup: 'steer' },
      schema: {
        tags: ['Steering'],
        operationId: 'steerChat',
        summary: 'Steer a chat reply with features or vectors (inference server)',
        description:
          'Generates the next reply to `defaultChatMessages` without steering and to `steeredChatMessages` with it: keys `STEERED` and `DEFAULT`, each `{raw, chatTemplate, logprobs}`. ' +
          'Cached and streamed as /api/steer. Prompts up to 2048 characters per conversation; n_tokens up to 256 (768 for thinking models).',
        security: KEY_OPTIONAL,
        body: SteerChatBody,
        response: { 200: SteerChatResponse, ...errorResponses(401, 404, 429, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const prepared = await prepareChat(
        services,
        {
          defaultChatMessages: body.defaultChatMessages,
          steeredChatMessages: body.steeredChatMessages,
          ...steerSettings(body),
          steer_special_tokens: body.steer_special_tokens,
          isAssistantAxis: body.isAssistantAxis === true,
        },
        request.viewer,
        limitOf(request),
      );
      return answer(request, reply, prepared, body.stream === true);
    },
  );
};

export default route;
