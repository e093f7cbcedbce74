// Sign in with an API key (a form; the session lives in an httpOnly SameSite=Lax cookie) and sign
// out (the session row is deleted, so the cookie is dead even if kept). Both forms carry a CSRF token.
import type { FastifyInstance } from 'fastify';
import { signIn, signOut } from '../services/session/page-sessions.js';
import { InvalidInput } from '../errors.js';
import { html } from './html.js';
import { sendPage } from './render.js';
import { anonymousCsrf, checkCsrf, readCookie, SESSION_COOKIE, setCookie } from './session.js';

/** Only a path on this site: `next=https://elsewhere` or `//elsewhere` would make an open redirect. */
const localPath = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/');

type Form = Record<string, string | undefined>;

export default async function signInPages(fastify: FastifyInstance) {
  fastify.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    const csrf = request.pageSession?.csrfToken ?? anonymousCsrf(fastify, request, reply);
    const signedIn = request.viewer ? html`<p>You are signed in as <strong>${request.viewer.name}</strong>.</p>` : '';
    const body = html`<h1>Sign in</h1>
      !${signedIn}
      <p>
        Sign in with an API key of this mirror to see your private models, sources, features and vectors in these pages. The key is checked
        once and not kept; the browser keeps a session cookie instead. The API itself never reads that cookie: scripts send their key.
      </p>
      <form method="post" action="/sign-in" class="card">
        <input type="hidden" name="csrf" value="${csrf}" />
        <input type="hidden" name="next" value="${localPath(request.query.next)}" />
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="current-password" required placeholder="sk-np-…" size="40" />
        <p><button type="submit">Sign in</button></p>
      </form>`;
    return sendPage(request, reply, 'Sign in', body);
  });

  // A small per-IP limit (`sign-in` group, RATE_LIMITS=sign-in=N): keys cannot be guessed, but nobody should try for long.
  fastify.post<{ Body: Form }>('/sign-in', { config: { rateLimitGroup: 'sign-in' } }, async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    const key = request.body?.key;
    if (!key) throw new InvalidInput('Type an API key.');
    const { token, maxAgeSeconds } = await signIn(fastify.db, fastify.keyVerifier, key);
    setCookie(fastify, reply, SESSION_COOKIE, token, maxAgeSeconds);
    return reply.redirect(localPath(request.body?.next), 303);
  });

  fastify.post<{ Body: Form }>('/sign-out', async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    const token = readCookie(request, SESSION_COOKIE);
    if (token) await signOut(fastify.db, token);
    setCookie(fastify, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/', 303);
  });
}
