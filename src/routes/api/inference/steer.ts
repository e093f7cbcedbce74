// Steering (inference server): POST /api/steer (completions), POST /api/steer-chat (chats), and
// POST /api/steer-load (a saved result by id). Identical requests are answered from saved outputs.
// With `stream: true` the answer is server-sent events, each frame the whole result so far; the
// last one, sent after saving, carries `id` and `shareUrl`. An upstream failure mid-stream ends
// the stream with an `event: error` frame and saves nothing.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError, errorBody, INTERNAL_ERROR_MESSAGE } from '../../../errors.js';
import { openEventStream } from '../../../http/event-stream.js';
import { errorResponses, FeatureIndex, KEY_OPTIONAL, ModelId, normalizeIndex, SourceId } from '../../../schemas/common.js';
import { prepareChat } from '../../../steer/chat.js';
import { prepareCompletion, type PreparedSteer, type SteerServices } from '../../../steer/completion.js';
import { loadSteerOutput } from '../../../steer/load.js';
import {
  STEER_FREQ_PENALTY,
  STEER_MAX_PROMPT_CHARS,
  STEER_METHODS,
  STEER_N_TOKENS_MAX,
  STEER_SEED_LIMIT,
  STEER_STRENGTH_MIN,
  STEER_STRENGTH_MULTIPLIER_MAX,
  STEER_TEMPERATURE_MAX,
} from '../../../steer/steer-common.js';

const MAX_FEATURES = 64;
const MAX_MESSAGES = 512;
const Feature = (strength = Type.Number()) => Type.Object({ modelId: ModelId, layer: SourceId, index: FeatureIndex, strength });
const settings = {
  modelId: ModelId,
  temperature: Type.Number({ minimum: 0, maximum: STEER_TEMPERATURE_MAX }),
  freq_penalty: Type.Optional(
    Type.Number({
      minimum: -2,
      maximum: 2,
      default: STEER_FREQ_PENALTY,
      description: 'Accepted and part of the cache key; no inference backend applies it.',
    }),
  ),
  seed: Type.Number({ minimum: -STEER_SEED_LIMIT, maximum: STEER_SEED_LIMIT }),
  strength_multiplier: Type.Number({ minimum: 0, maximum: STEER_STRENGTH_MULTIPLIER_MAX }),
  stream: Type.Optional(Type.Boolean({ default: false, description: 'Answer with server-sent events, each frame the result so far.' })),
  steer_method: Type.Optional(
    Type.Union(
      STEER_METHODS.map((m) => Type.Literal(m)),
      { default: 'SIMPLE_ADDITIVE' },
    ),
  ),
};
const Logprobs = Type.Union([Type.Array(Type.Object({}, { additionalProperties: true })), Type.Null()]);
const ChatMessage = Type.Object({
  content: Type.String(),
  role: Type.Union([
    Type.Literal('user'),
    Type.Literal('assistant'),
    Type.Literal('system'),
    Type.Literal('model'),
    Type.Literal('developer'),
  ]),
});
const TemplateMessage = Type.Object({ content: Type.String(), role: Type.String() });
const ChatOutput = Type.Union([
  Type.Object(
    { raw: Type.String(), chatTemplate: Type.Union([Type.Array(TemplateMessage), Type.Null()]), logprobs: Logprobs },
    { additionalProperties: true },
  ),
  Type.Null(),
]);
const errors = errorResponses(401, 404, 429, 502, 503, 504);
const features = (list: Array<{ modelId: string; layer: string; index: number | string; strength: number }>) =>
  list.map((f) => ({ modelId: f.modelId, layer: f.layer, index: normalizeIndex(f.index), strength: f.strength }));

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  const services: SteerServices = { db: fastify.db, inference: fastify.inference, publicUrl: fastify.config.publicUrl };
  const limitOf = (request: FastifyRequest) => (request.rateLimitRemaining === null ? null : String(request.rateLimitRemaining));

  /** Answers from the cache, or runs what is missing: as one JSON answer, or streamed. */
  async function answer<R>(request: FastifyRequest, reply: FastifyReply, prepared: PreparedSteer<R>, stream: boolean) {
    if (!prepared.pending) return prepared.result;
    // A client that goes away stops the generation: nothing more is asked of the model, nothing saved.
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) abort.abort(new Error('client closed the connection'));
    };
    reply.raw.on('close', onClose);
    try {
      if (!stream) {
        let last = prepared.result;
        for await (const result of prepared.run(abort.signal)) last = result;
        return last;
      }
      const events = openEventStream(reply);
      try {
        for await (const result of prepared.run(abort.signal)) events.send(result);
      } catch (error) {
        if (abort.signal.aborted) return reply;
        if (error instanceof ApiError)
          events.send({ ...errorBody(error.code, error.message, error.extra), statusCode: error.statusCode }, 'error');
        else {
          request.log.error({ err: error }, 'steering stream failed');
          events.send({ ...errorBody('INTERNAL_ERROR', INTERNAL_ERROR_MESSAGE), statusCode: 500 }, 'error');
        }
      } finally {
        events.end();
      }
      return reply;
    } finally {
      reply.raw.off('close', onClose);
    }
  }

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
        body: Type.Object({
          prompt: Type.String({ maxLength: STEER_MAX_PROMPT_CHARS }),
          features: Type.Array(Feature(), { maxItems: MAX_FEATURES }),
          n_tokens: Type.Integer({ minimum: 1, maximum: STEER_N_TOKENS_MAX }),
          ...settings,
        }),
        response: {
          200: Type.Object(
            {
              STEERED: Type.Union([Type.String(), Type.Null()]),
              DEFAULT: Type.Union([Type.String(), Type.Null()]),
              steeredLogProbs: Logprobs,
              defaultLogProbs: Logprobs,
              id: Type.Union([Type.String(), Type.Null()]),
              shareUrl: Type.Optional(Type.String()),
              limit: Type.Union([Type.String(), Type.Null()]),
            },
            { description: 'Or, with stream: true, text/event-stream frames of this object.' },
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const prepared = await prepareCompletion(
        services,
        {
          prompt: body.prompt,
          modelId: body.modelId,
          features: features(body.features),
          temperature: body.temperature,
          n_tokens: body.n_tokens,
          freq_penalty: body.freq_penalty ?? STEER_FREQ_PENALTY,
          seed: body.seed,
          strength_multiplier: body.strength_multiplier,
          steer_method: body.steer_method ?? 'SIMPLE_ADDITIVE',
          stream: body.stream === true,
        },
        request.viewer,
        limitOf(request),
      );
      return answer(request, reply, prepared, body.stream === true);
    },
  );

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
        body: Type.Object({
          defaultChatMessages: Type.Array(ChatMessage, { maxItems: MAX_MESSAGES }),
          steeredChatMessages: Type.Array(ChatMessage, { maxItems: MAX_MESSAGES }),
          features: Type.Array(Feature(Type.Number({ minimum: STEER_STRENGTH_MIN })), { maxItems: MAX_FEATURES }),
          n_tokens: Type.Integer({ minimum: 1, maximum: 1024 }),
          steer_special_tokens: Type.Boolean(),
          isAssistantAxis: Type.Optional(Type.Boolean({ default: false })),
          ...settings,
        }),
        response: {
          200: Type.Object(
            {
              STEERED: ChatOutput,
              DEFAULT: ChatOutput,
              id: Type.Union([Type.String(), Type.Null()]),
              shareUrl: Type.Optional(Type.String()),
              limit: Type.Union([Type.String(), Type.Null()]),
              settings: Type.Object({}, { additionalProperties: true }),
              assistant_axis: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
            },
            { description: 'Or, with stream: true, text/event-stream frames of this object.' },
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const prepared = await prepareChat(
        services,
        {
          defaultChatMessages: body.defaultChatMessages,
          steeredChatMessages: body.steeredChatMessages,
          modelId: body.modelId,
          features: features(body.features),
          temperature: body.temperature,
          n_tokens: body.n_tokens,
          freq_penalty: body.freq_penalty ?? STEER_FREQ_PENALTY,
          seed: body.seed,
          strength_multiplier: body.strength_multiplier,
          steer_special_tokens: body.steer_special_tokens,
          steer_method: body.steer_method ?? 'SIMPLE_ADDITIVE',
          stream: body.stream === true,
          isAssistantAxis: body.isAssistantAxis === true,
        },
        request.viewer,
        limitOf(request),
      );
      return answer(request, reply, prepared, body.stream === true);
    },
  );

  fastify.post(
    '/api/steer-load',
    {
      schema: {
        tags: ['Steering'],
        operationId: 'steerLoad',
        summary: 'Load a saved steering result',
        description:
          "A saved result by the `id` /api/steer or /api/steer-chat returned, in steer-chat's shape, with its settings and features. Not rate limited.",
        security: KEY_OPTIONAL,
        body: Type.Object({ steerOutputId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ id: Type.String() }, { additionalProperties: true }), ...errorResponses(401, 404) },
      },
    },
    async (request) => loadSteerOutput(fastify.db, request.body.steerOutputId, request.viewer, fastify.config.publicUrl),
  );
};

export default route;
