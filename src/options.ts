// Fastify's options, shared by the server and the tests so both validate and serialize alike.
import { LogController, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { clientErrorHandler } from './http/client-error.js';
import { buildSerializerOnFirstCall } from './compile-on-first-call.js';
import { formatSchemaErrors } from './validation.js';

export function serverOptions(config: Pick<Config, 'logLevel' | 'bodyLimitBytes' | 'trustProxy'>): FastifyServerOptions {
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  return {
    logger: { level: config.logLevel },
    // Two log lines per request cost more than the request itself on the hot read path.
    logController: new LogController({ disableRequestLogging: !verbose }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // The Python client calls `/api/steer/` and `/api/search-all/`; both forms must route.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    schemaErrorFormatter: formatSchemaErrors,
    // Response serializers compiled on a route's first answer, not at start (compile-on-first-call.ts).
    schemaController: { compilersFactory: { buildSerializer: buildSerializerOnFirstCall } },
    return503OnClosing: true,
    // Requests Node's parser refuses (431, malformed headers) get our JSON error body too.
    clientErrorHandler,
  };
}
