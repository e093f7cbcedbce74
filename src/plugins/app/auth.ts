// Who is calling: `x-api-key: KEY` or `Authorization: Bearer KEY`. No key: anonymous, as on the real
// server. A key that is present but malformed, unknown or revoked is 401: the real server would
// treat it as anonymous, and a wrong key would then look like missing private data.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { apiKeyFromHeaders } from '../../auth/api-keys.js';
import { KeyVerifier } from '../../auth/verify-key.js';
import { ADMIN_REQUIRED_MESSAGE, ApiError, AUTH_REQUIRED_MESSAGE } from '../../errors.js';

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

const REASONS = {
  malformed: 'is not a valid API key (keys look like sk-np-…)',
  unknown: 'was not recognised',
  revoked: 'has been revoked',
};

export default fp(
  async (fastify) => {
    const verifier = new KeyVerifier(fastify.db, (error) => fastify.log.warn({ err: error }, 'could not record an API key\'s last use'));
    fastify.decorate('keyVerifier', verifier);
    fastify.decorateRequest('viewerRateLimits', null);
    fastify.addHook('onRequest', async (request) => {
      const key = apiKeyFromHeaders(request.headers);
      if (key === undefined) return;
      const check = await verifier.verify(key);
      if (!check.ok) {
        throw new ApiError('INVALID_API_KEY', `The API key you sent ${REASONS[check.reason]}. Check the key, or send none to read public data anonymously.`);
      }
      request.viewer = check.viewer;
      request.viewerRateLimits = check.rateLimits;
    });
    fastify.decorate('requireUser', async (request: FastifyRequest) => {
      if (!request.viewer) throw new ApiError('UNAUTHORIZED', AUTH_REQUIRED_MESSAGE);
    });
    fastify.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (!request.viewer) throw new ApiError('UNAUTHORIZED', ADMIN_REQUIRED_MESSAGE);
      if (!request.viewer.admin) throw new ApiError('FORBIDDEN', ADMIN_REQUIRED_MESSAGE);
    });
  },
  { name: 'auth', dependencies: ['context', 'errors'] },
);
