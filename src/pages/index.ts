// The web pages at neuronpedia.org's paths (issue 15), as one encapsulated plugin: its hooks (the
// session cookie), its form parser and its HTML error pages apply to page routes only, never to
// /api. Every page renders from the same services the API uses.
import { URLSearchParams } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { registerAssets } from './assets.js';
import catalogPages from './catalog.js';
import featurePages from './feature.js';
import listPages from './lists.js';
import { registerPageErrors } from './render.js';
import searchPages from './search.js';
import { registerSessionHook } from './session.js';
import signInPages from './sign-in.js';
import sourcePages from './source.js';
import steerPages from './steer.js';

export default async function pages(fastify: FastifyInstance): Promise<void> {
  // Pages are not API operations: keep them out of the OpenAPI document.
  fastify.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  registerAssets(fastify);
  registerSessionHook(fastify);
  registerPageErrors(fastify);
  // The sign-in and sign-out forms post urlencoded bodies; small ones only.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  await fastify.register(catalogPages);
  await fastify.register(searchPages);
  await fastify.register(listPages);
  await fastify.register(steerPages);
  await fastify.register(signInPages);
  await fastify.register(sourcePages);
  await fastify.register(featurePages);
}
