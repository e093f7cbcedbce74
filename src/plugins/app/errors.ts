// One error handler owns every error body: `{error, message, code}`. Bad input gets a 4xx that says
// what was wrong; anything unexpected is logged and answered with a generic 500, never a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, errorBody, INTERNAL_ERROR_MESSAGE, NotFound, notFoundMessage, type ErrorCode } from '../../errors.js';
import { STATUS_OF_CODE } from '../../http/status.js';

/** Fastify's own error codes for bad requests, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION_ERROR',
  // @fastify/compress, decompressing request bodies.
  FST_CP_ERR_INVALID_CONTENT_ENCODING: 'UNSUPPORTED_MEDIA_TYPE',
  FST_CP_ERR_INVALID_CONTENT: 'BAD_REQUEST',
};

/**
 * Errors that mean "cannot reach the database", not "bug": network errors, Postgres's connection
 * exception class (08), shutdowns and restarts (57P01–57P03), too many connections (53300), and
 * node-pg's own messages for a connection lost or never made (they carry no code).
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;

type Classified = { status: number; code: ErrorCode; message: string; extra?: Record<string, unknown> };

/** The error and its causes, outermost first (drizzle wraps driver errors in DrizzleQueryError). */
function causes(error: unknown): Array<Error & { code?: unknown }> {
  const chain: Array<Error & { code?: unknown }> = [];
  for (let e = error; e instanceof Error && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function classifyDatabase(error: unknown): Classified | undefined {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGES.test(e.message)) {
      return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable. Please try again shortly.' };
    }
    // Class 22, data exceptions: a value the database cannot take (out of range, bad encoding).
    // Input checks should catch these first; this keeps one that slips through a 400, not a 500.
    if (/^22[0-9A-Z]{3}$/.test(code))
      return { status: 400, code: 'BAD_REQUEST', message: `The request holds a value the database cannot store: ${e.message}` };
  }
  return undefined;
}

/** A domain error's status and body; a bare NotFound gets the real server's text, naming PUBLIC_URL. */
export function classifyDomainError(error: DomainError, publicUrl: string): Classified {
  const message = error instanceof NotFound && error.usesDefaultMessage ? notFoundMessage(publicUrl) : error.message;
  return { status: STATUS_OF_CODE[error.code], code: error.code, message, extra: error.extra };
}

function classify(error: FastifyError & { code?: string }, publicUrl: string): Classified {
  if (error instanceof DomainError) return classifyDomainError(error, publicUrl);
  if (error.validation) return { status: 400, code: 'VALIDATION_ERROR', message: error.message };
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped === 'INVALID_JSON') return { status: 400, code: mapped, message: `Request body is not valid JSON: ${error.message}` };
  if (mapped === 'PAYLOAD_TOO_LARGE')
    return { status: 413, code: mapped, message: 'Request body is larger than this server accepts (BODY_LIMIT_BYTES).' };
  if (mapped) return { status: error.statusCode ?? 400, code: mapped, message: error.message };
  const database = classifyDatabase(error);
  if (database) return database;
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(code, message, extra));
}

/** The API's error handler: every error as `{error, message, code}` JSON. Page routes that answer scripts (POST /steer/run) use it too. */
export function jsonErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, code, message, extra } = classify(error, request.server.config.publicUrl);
  // A bug gets its stack in the log; an expected failure (a service not configured, the
  // database or a model service down) is logged as what it is, in one line.
  if (code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'request failed');
  else if (status >= 500) request.log.warn({ code, status, reason: message }, 'request could not be served');
  else request.log.debug({ err: error }, 'request rejected');
  return sendError(reply, status, code, message, extra);
}

export default fp(
  async (fastify) => {
    fastify.setErrorHandler(jsonErrorHandler);
    fastify.setNotFoundHandler((request, reply) =>
      sendError(reply, 404, 'ROUTE_NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`),
    );
  },
  { name: 'errors' },
);
