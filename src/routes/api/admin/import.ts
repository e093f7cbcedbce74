// GET /api/admin/import: imports an export through the running server (the only way into the
// embedded database while the server holds it), streaming progress as server-sent events in the
// real server's format: `data: {"progress", "progressText"}` frames, then `event: complete` or
// `event: error`. Admin key only: upstream also lets any caller on the server's machine in, but on
// a shared lab machine that would let every local user write into the mirror.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { openEventStream } from '../../../http/event-stream.js';
import { ApiError } from '../../../errors.js';
import { importExport } from '../../../ingest/import-export.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';

const Query = Type.Object({
  location: Type.String({ minLength: 1, description: 'Folder on the server, or HTTP(S) URL of a v1 export (e.g. an S3 bucket URL ending in `/v1/`).' }),
  modelId: Type.Optional(Type.String({ minLength: 1, description: 'Only this model.' })),
  sourceId: Type.Optional(Type.String({ minLength: 1, description: 'Only this source, e.g. `6-res-jb`.' })),
  explanations: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('only')], { description: 'Load explanations too (true, default), not (false), or only them (only).' })),
  maxErrors: Type.Optional(Type.Integer({ minimum: 0, description: 'Stop after this many rejected records.' })),
});

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  let running = false;
  fastify.get(
    '/api/admin/import',
    {
      preValidation: fastify.requireAdmin,
      schema: {
        tags: ['Admin'],
        operationId: 'adminImport',
        summary: 'Import an export (server-sent events)',
        description:
          'Streams `data: {"progress":0.25,"progressText":"..."}` frames while importing, then `event: complete` with the summary, or `event: error`. ' +
          'Admin key only. One import at a time.',
        security: KEY_REQUIRED,
        querystring: Query,
        produces: ['text/event-stream'],
        response: { ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      if (running) throw new ApiError('CONFLICT', 'An import is already running on this server; wait for it to finish.');
      running = true;
      const { location, modelId, sourceId, explanations, maxErrors } = request.query;
      const events = openEventStream(reply);
      const send = events.send;
      let totalBytes = 1;
      let doneBytes = 0;
      let files = 0;
      let filesDone = 0;
      try {
        const summary = await importExport(fastify.database, {
          location,
          models: modelId ? [modelId] : undefined,
          sources: sourceId ? [sourceId] : undefined,
          explanations: explanations === 'false' ? 'no' : explanations === 'only' ? 'only' : 'yes',
          maxErrors,
          onEvent: (event) => {
            if (event.type === 'start') {
              totalBytes = Math.max(1, event.totalBytes);
              files = event.files.length;
            } else if (event.type === 'progress') {
              send({ progress: Math.min(1, (doneBytes + event.bytesRead) / totalBytes), progressText: `(${filesDone + 1} of ${files}) Importing ${event.file.key}: ${event.lines} lines` });
            } else if (event.type === 'file-done') {
              filesDone++;
              doneBytes += event.file.size;
              if (event.status === 'imported') fastify.featureCache.clear();
              send({ progress: doneBytes / totalBytes, progressText: `(${filesDone} of ${files}) ${event.status}: ${event.file.key}${event.message ? ` (${event.message})` : ''}` });
            }
          },
          onReject: (r) => send({ file: r.file, line: r.line, reason: r.reason }, 'reject'),
        });
        send(summary, 'complete');
      } catch (error) {
        request.log.error({ err: error }, 'import failed');
        send({ message: (error as Error).message }, 'error');
      } finally {
        running = false;
        fastify.featureCache.clear();
        events.end();
      }
    },
  );
};

export default route;
