// GET /api/admin/import: imports an export through the running server (the only way into the
// embedded database while the server holds it), streaming progress as server-sent events in the
// real server's format: `data: {"progress", "progressText"}` frames, then `event: complete` or
// `event: error`. Admin key only: upstream also lets any caller on the server's machine in, but on
// a shared lab machine that would let every local user write into the mirror.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { openEventStream, type EventStream } from '../../../http/event-stream.js';
import { Conflict, InvalidInput } from '../../../errors.js';
import { ExportFetchError } from '../../../ingest/export-http.js';
import { importExport } from '../../../ingest/import-export.js';
import { LayoutError } from '../../../ingest/layout.js';
import { ImportQuery } from '../../../schemas/admin.js';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';

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
          'Admin key only. One import at a time; closing the connection cancels it. Without `location`, IMPORT_DEFAULT_LOCATION is read. ' +
          'HTTP(S) locations must resolve to public addresses unless IMPORT_ALLOW_PRIVATE_ADDRESSES is set, and time out after IMPORT_CONNECT_TIMEOUT_MS / IMPORT_IDLE_TIMEOUT_MS.',
        security: KEY_REQUIRED,
        querystring: ImportQuery,
        produces: ['text/event-stream'],
        response: { ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const location = request.query.location ?? fastify.config.importDefaultLocation;
      if (!location)
        throw new InvalidInput(
          'location is required: name an export folder or URL with ?location=, or set IMPORT_DEFAULT_LOCATION to the default export location',
        );
      const batchStart = request.query.explanationBatchStart;
      if (batchStart !== undefined && !/^\d+$/.test(batchStart))
        throw new InvalidInput('explanationBatchStart must be a non-negative integer when specified');
      if (running) throw new Conflict('An import is already running on this server; wait for it to finish.');
      running = true;
      // A client that goes away cancels its import, so a dead connection never holds the slot.
      const cancel = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) cancel.abort();
      };
      reply.raw.on('close', onClose);
      const { modelId, sourceId, explanations, maxErrors } = request.query;
      let events: EventStream | undefined;
      let totalBytes = 1;
      let doneBytes = 0;
      let files = 0;
      let filesDone = 0;
      try {
        events = openEventStream(reply);
        const send = events.send;
        const summary = await importExport(fastify.database, {
          location,
          models: modelId ? [modelId] : undefined,
          sources: sourceId ? [sourceId] : undefined,
          explanations: explanations === 'false' ? 'no' : explanations === 'only' ? 'only' : 'yes',
          explanationBatchStart: batchStart === undefined ? undefined : Number(batchStart),
          maxErrors,
          maxLineBytes: fastify.config.maxLineBytes,
          signal: cancel.signal,
          network: fastify.config.importNetwork,
          onEvent: (event) => {
            if (event.type === 'start') {
              totalBytes = Math.max(1, event.totalBytes);
              files = event.files.length;
            } else if (event.type === 'progress') {
              send({
                progress: Math.min(1, (doneBytes + event.bytesRead) / totalBytes),
                progressText: `(${filesDone + 1} of ${files}) Importing ${event.file.key}: ${event.lines} lines`,
              });
            } else if (event.type === 'file-done') {
              filesDone++;
              doneBytes += event.file.size;
              if (event.status === 'imported') void fastify.invalidateFeatures();
              send({
                progress: doneBytes / totalBytes,
                progressText: `(${filesDone} of ${files}) ${event.status}: ${event.file.key}${event.message ? ` (${event.message})` : ''}`,
              });
            }
          },
          // The importer waits on this: a flood of rejects goes at the client's pace instead of piling up in memory.
          onReject: (r) => {
            send({ file: r.file, line: r.line, reason: r.reason }, 'reject');
            return events!.drained();
          },
        });
        send(summary, 'complete');
      } catch (error) {
        if (cancel.signal.aborted) request.log.info({ location }, 'import cancelled: the client disconnected');
        // Network and layout failures are the caller's to fix: a warning, not an error with a stack.
        else if (error instanceof ExportFetchError || error instanceof LayoutError)
          request.log.warn({ location, reason: (error as Error).message }, 'import failed');
        else request.log.error({ err: error }, 'import failed');
        events?.send({ message: (error as Error).message }, 'error');
      } finally {
        running = false;
        reply.raw.off('close', onClose);
        await fastify.invalidateFeatures();
        events?.end();
      }
    },
  );
};

export default route;
