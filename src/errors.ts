// Errors the API answers with. Every error body is `{error, message, code}`: `error` and `message`
// as the real server writes them (clients read either), `code` a stable identifier for scripts.

export const ERROR_CODES = {
  BAD_REQUEST: 400,
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  REQUEST_HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  UPSTREAM_ERROR: 502,
  SERVICE_NOT_CONFIGURED: 503,
  DATABASE_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields the real server puts in this error body (e.g. `path` on upload errors). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = ERROR_CODES[code];
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
