// Per-caller request limits per endpoint group: by user when a key is sent, by client IP otherwise
// (X-Forwarded-For only with TRUST_PROXY). Admins are not limited; a user's own limits (set with
// `npm run user -- set-limit`) replace the configured ones. Headers as @fastify/rate-limit writes
// them; a 429 carries the real server's body plus our `message` and `code`.
// A request's groups come from the route Fastify matched (its `rateLimitGroup`, and `api` for /api
// routes), never from the raw URL: `/api/%73teer` or `POST http://x/api/steer` reach the steer
// route, so they count as steering.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from '../../errors.js';
import { checkDeclaredGroup, groupsForRoute, type RateLimitGroupName } from '../../services/rate-limit/groups.js';
import { postgresRateLimitStore } from '../../services/rate-limit/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Requests left in the window of the request's most specific limited group, or null. */
    rateLimitRemaining: number | null;
  }
  interface FastifyContextConfig {
    /** The rate-limit group a route counts in (besides `api` for every /api route). */
    rateLimitGroup?: RateLimitGroupName;
  }
}

export default fp(
  async (fastify) => {
    const { rateLimitGroups: groups, rateLimitWindowSeconds } = fastify.config;
    const windowMs = rateLimitWindowSeconds * 1000;
    const windowText = rateLimitWindowSeconds % 60 === 0 ? `${rateLimitWindowSeconds / 60} m` : `${rateLimitWindowSeconds} s`;
    const store = postgresRateLimitStore(fastify.database.primary);
    fastify.decorateRequest('rateLimitRemaining', null);

    const prune = setInterval(
      () => {
        store.prune(Date.now() - 2 * windowMs).catch((error) => fastify.log.warn({ err: error }, 'rate limit: pruning old windows failed'));
      },
      Math.min(windowMs, 10 * 60_000),
    );
    prune.unref();
    fastify.addHook('onClose', async () => clearInterval(prune));

    // A misspelt group would leave its route unlimited: refuse to start instead.
    fastify.addHook('onRoute', (route) => checkDeclaredGroup(route.url, route.config?.rateLimitGroup));

    // /api routes are counted as soon as the request arrives (auth has run). Page routes (POST
    // /steer/run, /sign-in) are counted at preValidation, once the pages' own onRequest hook has
    // read the session cookie: a signed-in page counts against its user, as their key would.
    // Callback hooks: a request no limit applies to (every read, by default) goes on at once,
    // without a promise and an extra turn of the event loop.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (isApiRoute(request.routeOptions.url)) limitThen(request, reply, done);
      else done();
    });
    fastify.addHook('preValidation', (request, reply, done) => {
      if (!isApiRoute(request.routeOptions.url)) limitThen(request, reply, done);
      else done();
    });

    /** The request's groups that have a limit for this caller, most specific first, with their limits. */
    function limitedGroups(request: FastifyRequest): Array<[RateLimitGroupName, number]> {
      if (request.viewer?.admin) return [];
      const limited: Array<[RateLimitGroupName, number]> = [];
      for (const group of groupsForRoute(request.routeOptions.url, request.routeOptions.config.rateLimitGroup)) {
        const limit = request.viewerRateLimits?.[group] ?? groups[group]!.limit;
        if (limit !== null) limited.push([group, limit]);
      }
      return limited;
    }

    /** Counts the request and calls `done`, unless it answered 429 (then the request ends there). */
    function limitThen(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) {
      const limited = limitedGroups(request);
      if (limited.length === 0) return done();
      limit(request, reply, limited).then((answered) => {
        if (!answered) done();
      }, done);
    }

    /** True when it answered 429. */
    async function limit(request: FastifyRequest, reply: FastifyReply, limited: Array<[RateLimitGroupName, number]>): Promise<boolean> {
      const userKey = request.viewer ? `user:${request.viewer.id}` : `ip:${request.ip}`;
      for (const [group, limit] of limited) {
        const key = groups[group]!.perIp ? `ip:${request.ip}` : userKey;
        const now = Date.now();
        const { count, resetAt } = await store.hit(key, group, windowMs, now);
        const remaining = Math.max(0, limit - count);
        const resetSeconds = Math.max(0, Math.ceil((resetAt - now) / 1000));
        if (request.rateLimitRemaining === null) {
          request.rateLimitRemaining = remaining;
          reply.header('x-ratelimit-limit', limit).header('x-ratelimit-remaining', remaining).header('x-ratelimit-reset', resetSeconds);
        }
        if (count > limit) {
          const endpoint = groups[group]!.paths[0]!;
          const message = `Rate limit exceeded for this endpoint. The limit for this endpoint (${endpoint}) is ${limit} requests per ${windowText}. Ask this mirror's administrator to raise your limit.`;
          reply
            .header('x-ratelimit-limit', limit)
            .header('x-ratelimit-remaining', 0)
            .header('x-ratelimit-reset', resetSeconds)
            .header('retry-after', resetSeconds)
            .code(429)
            .type('application/json; charset=utf-8')
            .send({
              endpoint,
              limitPerWindow: limit,
              requestWindow: windowText,
              remainingRequests: 0,
              ...errorBody('RATE_LIMITED', message),
            });
          return true;
        }
      }
      return false;
    }
  },
  { name: 'rate-limit', dependencies: ['context', 'auth'] },
);

const isApiRoute = (routeUrl: string | undefined) => routeUrl?.startsWith('/api/') === true;
