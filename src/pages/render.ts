// Sends a page: the layout around a body, with headers that keep it on this origin (CSP) and out of
// shared caches (pages differ by viewer). Errors become pages with the same statuses as the API's.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';
import { classifyDomainError } from '../plugins/app/errors.js';
import { html, layout } from './html.js';

// Nothing but this origin: no fonts, scripts, styles or images from elsewhere, even by mistake.
// Inline style attributes carry the token shading (`--a`), so styles allow them; scripts do not.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function sendPage(request: FastifyRequest, reply: FastifyReply, title: string, body: string, status = 200) {
  const path = request.url.split('#')[0]!;
  const page = layout({ title, viewer: request.viewer, csrfToken: request.pageSession?.csrfToken, path }, body);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'private, no-cache')
    .send(page);
}

export function errorPage(title: string, message: string): string {
  return html`<h1>${title}</h1>
    <p class="error">${message}</p>
    <p><a href="/available-resources">Available models and sources</a> · <a href="/">Home</a></p>`;
}

export function registerPageErrors(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      const { status, message } = classifyDomainError(error, fastify.config.publicUrl);
      const title =
        status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status === 401 ? 'Sign in needed' : 'Cannot show this page';
      return sendPage(request, reply, title, errorPage(title, message), status);
    }
    if (error.validation || (error.statusCode && error.statusCode < 500)) {
      return sendPage(request, reply, 'Bad request', errorPage('Bad request', error.message), error.statusCode ?? 400);
    }
    request.log.error({ err: error }, 'page failed');
    return sendPage(
      request,
      reply,
      'Error',
      errorPage('Something went wrong', 'Something went wrong on our end. The error has been logged.'),
      500,
    );
  });
}
