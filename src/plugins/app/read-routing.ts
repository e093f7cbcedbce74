// With read replicas (db/replicas.ts): every request runs inside a read scope, so the database
// router knows who is reading and whether this request already wrote. A request that wrote
// records its callers' write time before its answer leaves (here and, through the other
// processes' listeners, everywhere), so their next reads avoid replicas that lack the write.
import { AsyncResource } from 'node:async_hooks';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { readScope, type ReadScope } from '../../db/replicas.js';

const scopes = new WeakMap<FastifyRequest, { scope: ReadScope; resource: AsyncResource }>();

/** Whose recent writes this request must see: its user's, and its address's anonymous ones (a page sign-in). */
function callers(request: FastifyRequest): string[] {
  return request.viewer ? [`user:${request.viewer.id}`, `ip:${request.ip}`] : [`ip:${request.ip}`];
}

/** Who wrote: the user, or the address when anonymous (many users may share one behind a proxy). */
function writer(request: FastifyRequest): string[] {
  return [request.viewer ? `user:${request.viewer.id}` : `ip:${request.ip}`];
}

export default fp(
  async (fastify) => {
    const replicas = fastify.database.replicas;
    if (!replicas) return;
    fastify.addHook('onRequest', (request, _reply, done) => {
      const scope: ReadScope = { callers: () => callers(request), wrote: false };
      readScope.run(scope, () => {
        const resource = new AsyncResource('neuronpedia-read-scope');
        scopes.set(request, { scope, resource });
        done();
      });
    });
    // Body parsing runs in the socket's async context: step back into the request's scope.
    fastify.addHook('preValidation', (request, _reply, done) => {
      const entry = scopes.get(request);
      if (entry) entry.resource.runInAsyncScope(done);
      else done();
    });
    fastify.addHook('onSend', async (request) => {
      const scope = scopes.get(request)?.scope;
      if (!scope?.wrote) return;
      const writers = { callers: writer(request), at: Date.now() };
      replicas.recordWrite(writers.callers, writers.at);
      await fastify.broadcast({ writers });
    });
  },
  { name: 'read-routing', dependencies: ['context'] },
);
