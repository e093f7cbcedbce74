// Errors the API answers with. Every error body is `{error, message, code}`: `error` and `message`
// as the real server writes them (clients read either), `code` a stable identifier for scripts.

/** Stable identifiers for everything that can go wrong; the HTTP edge maps each to a status
 * (`src/http/status.ts`), so no service or client below the routes knows HTTP statuses. */
export const ERROR_CODE_LIST = [
  'BAD_REQUEST',
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REQUEST_TIMEOUT',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'REQUEST_HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'UPSTREAM_ERROR',
  'SERVICE_NOT_CONFIGURED',
  'DATABASE_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/** An expected failure, thrown anywhere (routes, services, model-service clients) and answered by
 * the one error handler as `{error, message, code}` with the status its code maps to. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields the real server puts in this error body (e.g. `path` on upload errors). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input the operation cannot take (the schema let it through, the data says no). */
export class InvalidInput extends DomainError {
  constructor(message: string, extra?: Record<string, unknown>) {
    super('BAD_REQUEST', message, extra);
  }
}

/**
 * Missing, or not the caller's to see: the two must look the same. Without a message the error
 * handler answers the real server's text, which names this mirror's `PUBLIC_URL`.
 */
export class NotFound extends DomainError {
  constructor(message?: string) {
    super('NOT_FOUND', message ?? '');
  }
  get usesDefaultMessage(): boolean {
    return this.message === '';
  }
}

export class Forbidden extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class Conflict extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class TooLarge extends DomainError {
  constructor(message: string, extra?: Record<string, unknown>) {
    super('PAYLOAD_TOO_LARGE', message, extra);
  }
}

/** A model service (or other optional part) that this mirror has no setting for. */
export class NotConfigured extends DomainError {
  constructor(message: string) {
    super('SERVICE_NOT_CONFIGURED', message);
  }
}

/** A model service answered with an error, or something that is not its protocol. */
export class UpstreamFailed extends DomainError {
  constructor(message: string, extra?: Record<string, unknown>) {
    super('UPSTREAM_ERROR', message, extra);
  }
}

export class UpstreamTimeout extends DomainError {
  constructor(message: string) {
    super('UPSTREAM_TIMEOUT', message);
  }
}

/** The real server's message for anything a caller may not see, so a private feature looks absent. */
export function notFoundMessage(publicUrl: string): string {
  return `The model, source, or feature you specified is not available. Check available public models/sources (including which ones have inference enabled) at ${publicUrl}/available-resources`;
}

/** Where keys for this mirror come from: neuronpedia.org's keys are unknown here. */
export const API_KEY_SOURCE_MESSAGE =
  "API keys for this mirror are made by its administrator (npm run key -- create <user>); neuronpedia.org's keys do not work here.";

/** The real server's messages for routes that need a user, or an admin, saying where this mirror's keys come from. */
export const AUTH_REQUIRED_MESSAGE = `This endpoint requires authorization. Specify your API key in the header x-api-key. ${API_KEY_SOURCE_MESSAGE}`;
export const ADMIN_REQUIRED_MESSAGE = `This endpoint requires authorization and admin access. Specify your API key in the header x-api-key. ${API_KEY_SOURCE_MESSAGE}`;

/** The real server's message for unexpected failures; details go to the log, never the response. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our end. The error has been reported.';

export interface ErrorBody {
  error: string;
  message: string;
  code: ErrorCode;
  [extra: string]: unknown;
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { ...extra, error: message, message, code };
}
