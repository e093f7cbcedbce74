// Who views a page: an API key header as for the API, else the session cookie set by the sign-in
// form. Only page routes run this hook: the API never reads cookies, so a browser's session cannot
// be used against it by another site (no CSRF exposure) and its key rules stay as they are.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, randomToken, readSession, type PageSession } from '../services/session/page-sessions.js';
import { Forbidden } from '../errors.js';

export const SESSION_COOKIE = 'np_session';
/** Double-submit token for forms shown before there is a session (the sign-in form). */
export const CSRF_COOKIE = 'np_csrf';

declare module 'fastify' {
  interface FastifyRequest {
    pageSession: PageSession | null;
  }
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function setCookie(fastify: FastifyInstance, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void {
  const secure = fastify.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  reply.header('set-cookie', `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`);
}

export function registerSessionHook(fastify: FastifyInstance): void {
  fastify.decorateRequest('pageSession', null);
  fastify.addHook('onRequest', async (request) => {
    if (request.viewer) return; // an API key header, checked by the auth plugin
    const token = readCookie(request, SESSION_COOKIE);
    if (!token) return;
    const session = await readSession(fastify.db, token);
    if (session) {
      request.pageSession = session;
      request.viewer = session.viewer;
      request.viewerRateLimits = session.rateLimits;
    }
  });
}

/** The CSRF token for a form before sign-in: the cookie's, or a new one set now. */
export function anonymousCsrf(fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  setCookie(fastify, reply, CSRF_COOKIE, token, 24 * 3600);
  return token;
}

/** Refuses a state-changing form whose token matches neither the session's nor the double-submit cookie's. */
export function checkCsrf(request: FastifyRequest, sent: unknown): void {
  const expected = request.pageSession?.csrfToken ?? readCookie(request, CSRF_COOKIE);
  if (!csrfMatches(expected, sent))
    throw new Forbidden('This form has expired or did not come from this site. Reload the page and try again.');
}
