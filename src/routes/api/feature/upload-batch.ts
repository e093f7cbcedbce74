// POST /api/feature/upload-batch: features (dashboards) of one source, at most 128 a request. Also
// serves the docs page's alias POST /api/upload/dashboard: the same body, or a whole source as NDJSON.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../../errors.js';
import { errorResponses, KEY_REQUIRED, MessageResponse } from '../../../schemas/common.js';
import { FeatureUploadBody } from '../../../schemas/feature.js';
import { uploadDashboardStream } from '../../../services/upload/dashboard-stream.js';
import { uploadFeatures } from '../../../services/upload/features-upload.js';

/**
 * After a refused stream, the rest of the body is read and thrown away without decompressing it
 * (a gzip bomb costs its compressed size only), and the connection closes after the answer, as
 * nginx does with a 413: the answer can be sent while the client is still uploading.
 */
function discardRequestBody(raw: IncomingMessage, reply: FastifyReply): void {
  if (raw.complete) return;
  raw.unpipe();
  raw.resume();
  reply.header('connection', 'close');
}

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  // A whole source as NDJSON arrives as a stream (see uploads/dashboard-stream.ts).
  fastify.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));

  for (const [url, operationId, summary] of [
    ['/api/feature/upload-batch', 'uploadFeatures', 'Upload features (dashboards) to your source'],
    ['/api/upload/dashboard', 'uploadDashboard', 'Upload features (docs page path): the upload-batch body, or a whole source as NDJSON'],
  ] as const) {
    const streamed = url === '/api/upload/dashboard';
    fastify.post(
      url,
      {
        config: { clearsFeatureCache: true },
        preValidation: fastify.requireUser,
        schema: {
          tags: ['Features'],
          operationId,
          summary,
          description:
            'Up to 128 features of one source with top/bottom logits, explanations and activations (with quantile bins). Stored in one transaction: all or nothing. ' +
            "Only the source set's creator may upload. Features that exist already are left unchanged." +
            (streamed
              ? ' With `Content-Type: application/x-ndjson`, a whole source in one request: a first line `{"modelId", "source"}`, then one feature per line; ' +
                'streamed and written 128 features at a time in one transaction (at most UPLOAD_STREAM_LIMIT_BYTES, default 1 GiB).'
              : ''),
          security: KEY_REQUIRED,
          body: streamed
            ? ({
                content: {
                  'application/json': { schema: FeatureUploadBody },
                  'application/x-ndjson': {
                    schema: { description: 'NDJSON: a header line {"modelId", "source"}, then one feature per line' },
                  },
                },
              } as unknown as typeof FeatureUploadBody)
            : FeatureUploadBody,
          response: { 200: MessageResponse, ...errorResponses(401, 403, 404, 413, 415) },
        },
      },
      async (request, reply) => {
        const body: unknown = request.body;
        const whole = streamed && body instanceof Readable;
        // Only JSON and NDJSON are schema-checked; any other body Fastify parsed (text/plain) is refused here.
        if (!whole && (typeof body !== 'object' || body === null || Array.isArray(body))) {
          throw new DomainError(
            'UNSUPPORTED_MEDIA_TYPE',
            'Send the upload as application/json (the upload-batch body) or application/x-ndjson (a whole source).',
          );
        }
        let created: number;
        if (whole) {
          const { uploadStreamLimitBytes: maxBytes, maxLineBytes } = fastify.config;
          try {
            created = await uploadDashboardStream(fastify.db, body, request.viewer!, { maxBytes, maxLineBytes }, fastify.embeddings);
          } catch (error) {
            discardRequestBody(request.raw, reply);
            throw error;
          }
        } else {
          created = await uploadFeatures(fastify.db, request.body, request.viewer!, fastify.embeddings);
        }
        return { message: `${created} features created.` };
      },
    );
  }
};

export default route;
