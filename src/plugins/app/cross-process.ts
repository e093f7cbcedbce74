// Keeps server processes that share one Postgres consistent: a write that clears this process's
// caches clears every other's too (LISTEN/NOTIFY, db/notifications.ts), before the writer gets
// its answer. The embedded database is single-process, so there it only clears locally.
import fp from 'fastify-plugin';
import { Notifier, type Notice } from '../../db/notifications.js';
import { EVERYONE } from '../../db/replicas.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Tells the other processes (not this one) about a write; resolves once Postgres delivered it. */
    broadcast(notice: Notice): Promise<void>;
    /** Empties the feature caches of this process and of every other. */
    invalidateFeatures(): Promise<void>;
  }
}

export default fp(
  async (fastify) => {
    const { database } = fastify;
    // Until replicas have this write, nobody reads them: their answers would refill the cache stale.
    const clearFeatures = () => {
      database.replicas?.recordWrite([EVERYONE]);
      fastify.featureCache.clear();
    };
    const notifier = database.pool
      ? new Notifier(
          database.pool.options,
          (notice) => {
            if (notice.caches?.includes('features')) clearFeatures();
            if (notice.caches?.includes('keys')) fastify.keyVerifier.clear();
            if (notice.writers) database.replicas?.recordWrite(notice.writers.callers, notice.writers.at);
          },
          (error) => fastify.log.warn({ err: error }, 'cross-process notifications: listener connection lost; reconnecting'),
        )
      : undefined;
    // Without a listener the server still works; other processes' writes then reach this one's
    // caches within FEATURE_CACHE_TTL_MS (servers that cannot LISTEN, e.g. a pglite-socket).
    await notifier
      ?.start()
      .catch((error) => fastify.log.warn({ err: error }, 'cross-process notifications unavailable: caches rely on their TTL'));
    fastify.addHook('onClose', async () => notifier?.close());
    fastify.decorate('broadcast', async (notice: Notice) => {
      if (!notifier || !database.pool) return;
      try {
        await notifier.publish(database.pool, notice);
      } catch (error) {
        // The write itself succeeded; other processes fall back on their cache TTLs.
        fastify.log.warn({ err: error }, 'cross-process notifications: could not publish');
      }
    });
    fastify.decorate('invalidateFeatures', async () => {
      clearFeatures();
      await fastify.broadcast({ caches: ['features'] });
    });
  },
  { name: 'cross-process', dependencies: ['context', 'auth'] },
);
