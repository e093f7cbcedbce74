// The stylesheet and script, served by the mirror itself under content-hashed names (cached for a
// year: a new build changes the name), so pages make no request to any other host.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SCRIPT } from './assets/script.js';
import { CSS } from './assets/style.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

export const ASSET_PATHS = { css: `/_assets/app.${hashOf(CSS)}.css`, js: `/_assets/app.${hashOf(SCRIPT)}.js` };

export function registerAssets(fastify: FastifyInstance): void {
  for (const [url, type, body] of [
    [ASSET_PATHS.css, 'text/css; charset=utf-8', CSS],
    [ASSET_PATHS.js, 'text/javascript; charset=utf-8', SCRIPT],
  ] as const) {
    fastify.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(body),
    );
  }
}
