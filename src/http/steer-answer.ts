// What /api/steer and /api/steer-chat share: the mapping of their common settings, and the answer
// from saved outputs or a run (JSON, or streamed). Identical requests are answered from saved
// outputs. With `stream: true` the answer is server-sent events, each frame the whole result so
// far; the last one, sent after saving, carries `id` and `shareUrl`. An upstream failure
// mid-stream ends the stream with an `event: error` frame and saves nothing. The /steer page's
// POST /steer/run answers through the same function, with the session's viewer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, errorBody, INTERNAL_ERROR_MESSAGE } from '../errors.js';
import { openEventStream } from './event-stream.js';
import { classifyDomainError } from '../plugins/app/errors.js';
import { normalizeIndex } from '../schemas/common.js';
import type { PreparedSteer, SteerServices } from '../services/steer/completion.js';
import { STEER_FREQ_PENALTY } from '../constants.js';

export const steerServices = (fastify: FastifyInstance): SteerServices => ({
  db: fastify.db,
  inference: fastify.inference,
  publicUrl: fastify.config.publicUrl,
  cache: fastify.featureCache,
});

/** Steering requests left to the caller, as the `limit` field says it. */
export const limitOf = (request: FastifyRequest) => (request.rateLimitRemaining === null ? null : String(request.rateLimitRemaining));

interface SteerSettingsBody {
  modelId: string;
  features: Array<{ modelId: string; layer: string; index: number | string; strength: number }>;
  temperature: number;
  n_tokens: number;
  freq_penalty?: number;
  seed: number;
  strength_multiplier: number;
  steer_method?: string;
  stream?: boolean;
}

/** The settings both steering routes take, with their defaults applied. */
export function steerSettings(body: SteerSettingsBody) {
  return {
    modelId: body.modelId,
    features: body.features.map((f) => ({ modelId: f.modelId, layer: f.layer, index: normalizeIndex(f.index), strength: f.strength })),
    temperature: body.temperature,
    n_tokens: body.n_tokens,
    freq_penalty: body.freq_penalty ?? STEER_FREQ_PENALTY,
    seed: body.seed,
    strength_multiplier: body.strength_multiplier,
    steer_method: body.steer_method ?? 'SIMPLE_ADDITIVE',
    stream: body.stream === true,
  };
}

/** Answers from the cache, or runs what is missing: as one JSON answer, or streamed. */
export async function answer<R>(request: FastifyRequest, reply: FastifyReply, prepared: PreparedSteer<R>, stream: boolean) {
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
      if (error instanceof DomainError) {
        const { status, code, message, extra } = classifyDomainError(error, request.server.config.publicUrl);
        events.send({ ...errorBody(code, message, extra), statusCode: status }, 'error');
      } else {
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
