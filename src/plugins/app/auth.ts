// Who is calling: `x-api-key: KEY` or `Authorization: Bearer KEY` (the same key in both is fine).
// No credential: anonymous, as on the real server. Any credential that is not one valid key is 401:
// malformed, unknown or revoked, an empty x-api-key, an Authorization header that is not
// `Bearer <key>`, or two different keys. The real server treats a bad key as anonymous, and a
// wrong key would then look like missing private data; letting one of two keys win would act as
// someone the caller may not have meant.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { credentialsFromRawHeaders, type CredentialProblem } from '../../http/credentials.js';
import { KeyVerifier } from '../../services/auth/verify-key.js';
import { ADMIN_REQUIRED_MESSAGE, API_KEY_SOURCE_MESSAGE, AUTH_REQUIRED_MESSAGE, DomainError, Forbidden } from '../../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    keyVerifier: KeyVerifier;
    /** Hook for routes that need a signed-in user (401 otherwise); use as preValidation so it comes before body errors. */
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Hook for admin-only routes (401 without a key, 403 for a non-admin). */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    /** The caller's own per-group rate limits, when an admin set any. */
    viewerRateLimits: Record<string, number> | null;
  }
}

const PROBLEMS: Record<CredentialProblem | 'malformed' | 'unknown' | 'revoked', string> = {
  malformed: 'The API key you sent is not a valid API key (keys look like sk-np-…).',
  unknown: 'The API key you sent was not recognised.',
  revoked: 'The API key you sent has been revoked.',
  'empty-x-api-key': 'The x-api-key header is empty (is the variable holding your key set?).',
  'not-bearer': 'The Authorization header must be "Bearer <API key>".',
  conflicting: 'The request carries different API keys (in x-api-key and Authorization, or in repeated headers).',
};

// RFC 7235: a 401 names the scheme that would work (RFC 6750's `error` when a credential was wrong).
const REALM = 'Bearer realm="neuronpedia-mirror"';

function invalidCredentials(reply: FastifyReply, problem: keyof typeof PROBLEMS): DomainError {
  reply.header('www-authenticate', `${REALM}, error="invalid_token"`);
  return new DomainError(
    'INVALID_API_KEY',
    `${PROBLEMS[problem]} Send one key, as x-api-key: KEY or Authorization: Bearer KEY, or none to read public data anonymously. ${API_KEY_SOURCE_MESSAGE}`,
  );
}

export default fp(
  async (fastify) => {
    const verifier = new KeyVerifier(fastify.database.primary, (error) =>
      fastify.log.warn({ err: error }, "could not record an API key's last use"),
    );
    fastify.decorate('keyVerifier', verifier);
    fastify.decorateRequest('viewerRateLimits', null);
    // A callback hook: an anonymous request (most reads) goes on at once, without a promise.
    fastify.addHook('onRequest', (request, reply, done) => {
      const credentials = credentialsFromRawHeaders(request.raw.rawHeaders);
      if (credentials.kind === 'none') return done();
      if (credentials.kind === 'invalid') return done(invalidCredentials(reply, credentials.reason));
      verifier.verify(credentials.key).then((check) => {
        if (!check.ok) return done(invalidCredentials(reply, check.reason));
        request.viewer = check.viewer;
        request.viewerRateLimits = check.rateLimits;
        done();
      }, done);
    });
    fastify.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.viewer) {
        reply.header('www-authenticate', REALM);
        throw new DomainError('UNAUTHORIZED', AUTH_REQUIRED_MESSAGE);
      }
    });
    fastify.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.viewer) {
        reply.header('www-authenticate', REALM);
        throw new DomainError('UNAUTHORIZED', ADMIN_REQUIRED_MESSAGE);
      }
      if (!request.viewer.admin) throw new Forbidden(ADMIN_REQUIRED_MESSAGE);
    });
  },
  { name: 'auth', dependencies: ['context', 'errors'] },
);
