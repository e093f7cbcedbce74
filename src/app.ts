// The application as a Fastify plugin: the server and the tests register exactly this.
import path from 'node:path';
import autoload from '@fastify/autoload';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import auth from './plugins/app/auth.js';
import context from './plugins/app/context.js';
import crossProcess from './plugins/app/cross-process.js';
import errors from './plugins/app/errors.js';
import featureCacheInvalidation from './plugins/app/feature-cache-invalidation.js';
import inputGuard from './plugins/app/input-guard.js';
import jsonBody from './plugins/app/json-body.js';
import rateLimit from './plugins/app/rate-limit.js';
import readRouting from './plugins/app/read-routing.js';
import compress from './plugins/external/compress.js';
import cors from './plugins/external/cors.js';
import swagger from './plugins/external/swagger.js';
import pages from './pages/index.js';
import { ErrorResponse } from './schemas/common.js';
import { addSharedSchema, validatorCompiler } from './validation.js';

export interface AppOptions {
  config: Config;
  database: Database;
}

async function app(fastify: FastifyInstance, options: AppOptions): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  addSharedSchema(ErrorResponse as unknown as { $id: string });
  fastify.addSchema(ErrorResponse);
  await fastify.register(context, options);
  await fastify.register(readRouting);
  await fastify.register(errors);
  await fastify.register(jsonBody);
  await fastify.register(inputGuard);
  await fastify.register(auth);
  await fastify.register(crossProcess);
  await fastify.register(rateLimit);
  await fastify.register(featureCacheInvalidation);
  await fastify.register(cors);
  await fastify.register(compress);
  await fastify.register(swagger);
  // One file per route under routes/, named after its URL (routes/README.md). Each file registers
  // its full URL, so folders add no prefix; files named `_*` are helpers, not routes.
  await fastify.register(autoload, {
    dir: path.join(import.meta.dirname, 'routes'),
    dirNameRoutePrefix: false,
    ignorePattern: /(?:^|\/)_[^/]*$/,
  });
  // Web pages at neuronpedia.org's paths: encapsulated, so their cookie session never reaches /api.
  await fastify.register(pages);
}

// Not encapsulated: the app is the whole server, and tests reach its decorators (db, caches).
export default fp(app, { name: 'neuronpedia-mirror' });
