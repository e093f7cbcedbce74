// Answers requests that Node's HTTP parser refuses before Fastify sees them (headers too large, a
// malformed request line or header, a request that took too long to arrive) with the same
// `{error, message, code}` JSON as every other error. Fastify's default handler writes a body
// without `code`. As Node's own handler does, nothing is written once a response has started on
// the connection (that would corrupt it), and the connection is closed after the answer.
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorBody, type ErrorCode } from '../errors.js';
import { STATUS_OF_CODE } from './status.js';

interface ParserError extends Error {
  code?: string;
  /** llhttp's reason, e.g. "Invalid header value char". */
  reason?: string;
}

/** The code and message for a client error, by Node's error code. */
export function describeClientError(error: ParserError, headerLimitBytes = maxHeaderSize): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'REQUEST_HEADERS_TOO_LARGE',
        message: `The request line and headers are larger than this server accepts (${headerLimitBytes} bytes in all).`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time.' };
    default:
      return { code: 'BAD_REQUEST', message: `Malformed HTTP request: ${error.reason ?? error.code ?? 'parse error'}.` };
  }
}

/** Fastify's `clientErrorHandler` (called with the instance as `this`). */
export function clientErrorHandler(this: FastifyInstance, error: ParserError, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = describeClientError(error);
  // Expected of clients on the open internet, not a fault of ours.
  this.log.debug({ err: error, code }, 'client error');
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF_CODE[code];
  const body = JSON.stringify(errorBody(code, message));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  // Destroyed once written, so a client that never closes its end cannot hold the socket.
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
