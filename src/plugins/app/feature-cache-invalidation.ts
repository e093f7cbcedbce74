// Routes that change what a feature read shows declare `clearsFeatureCache`; one hook clears the
// feature cache when such a request succeeds, just before its answer goes out, so the writer's next
// read (and everyone else's, in every process: cross-process.ts) is never served from before the write. Streaming routes that answer
// while they write (the admin import) clear it themselves as they go.
import type { onSendAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A successful request changes features, their explanations, scores, activations or lists. */
    clearsFeatureCache?: boolean;
  }
}

export default fp(
  async (fastify) => {
    // Only on the routes that declare it: the others (every read) skip the hook altogether.
    const clearOnSuccess: onSendAsyncHookHandler = async (_request, reply) => {
      if (reply.statusCode < 400) await fastify.invalidateFeatures();
    };
    fastify.addHook('onRoute', (route) => {
      if (route.config?.clearsFeatureCache) route.onSend = [...[route.onSend ?? []].flat(), clearOnSuccess];
    });
  },
  { name: 'feature-cache-invalidation', dependencies: ['context', 'cross-process'] },
);
