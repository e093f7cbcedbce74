// One error handler owns every error body: `{error, message, code}`. Bad input gets a 4xx that says
// what was wrong; anything unexpected is logged and answered with a generic 500, never a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, errorBody, INTERNAL_ERROR_MESSAGE, type ErrorCode } from '../../errors.js';

/** Fastify's own error codes for bad requests, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION_ERROR',
};

/** Errors from the database driver that mean "cannot reach the database", not "bug". */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300']);

function classify(error: FastifyError & { code?: string }): { status: number; code: ErrorCode; message: string; extra?: Record<string, unknown> } {
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message: error.message, extra: error.extra };
  if (error.validation) return { status: 400, code: 'VALIDATION_ERROR', message: error.message };
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped === 'INVALID_JSON') return { status: 400, code: mapped, message: `Request body is not valid JSON: ${error.message}` };
  if (mapped === 'PAYLOAD_TOO_LARGE') return { status: 413, code: mapped, message: 'Request body is larger than this server accepts (BODY_LIMIT_BYTES).' };
  if (mapped) return { status: error.statusCode ?? 400, code: mapped, message: error.message };
  if (error.code && UNAVAILABLE.has(error.code)) return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable. Please try again shortly.' };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, extra));
}

export default fp(
  async (fastify) => {
    fastify.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, code, message, extra } = classify(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.debug({ err: error }, 'request rejected');
      return sendError(reply, status, code, message, extra);
    });
    fastify.setNotFoundHandler((request, reply) =>
      sendError(reply, 404, 'ROUTE_NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`),
    );
  },
  { name: 'errors' },
);
