// PUT /api/graph/upload/{putRequestId}?expires&signature: the mirror's own upload URL (made by
// graph/signed-put and graph/generate). The body streams to storage as it arrives: graph files can
// be hundreds of MB, so it is never parsed or buffered here, whatever its Content-Type.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../../schemas/common.js';
import { UploadParams, UploadQuery, UploadResponse } from '../../../schemas/graph.js';
import { receiveUpload } from '../../../services/graph/uploads.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  // This plugin's scope only: every body arrives as the raw stream (S3 takes any content type).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  fastify.put(
    '/api/graph/upload/:putRequestId',
    {
      // Stored as sent: a gzip upload stays gzip (and is served with Content-Encoding: gzip).
      decompress: false,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'graphUpload',
        summary: 'Upload a graph file to an upload URL',
        description:
          'The URL graph/signed-put (or graph/generate, for the graph server) returned. No API key: refused with 403 when the signature does not match, ' +
          'when it has expired, or when the URL was used already; 413 over GRAPH_UPLOAD_LIMIT_BYTES. Needs Content-Length (equal to the signed contentLength).',
        security: [{}],
        params: UploadParams,
        querystring: UploadQuery,
        response: { 200: UploadResponse, ...errorResponses(403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      try {
        const { size } = await receiveUpload(graphDeps(fastify), {
          putRequestId: request.params.putRequestId,
          expires: request.query.expires,
          signature: request.query.signature,
          contentLength: request.headers['content-length'],
          contentEncoding: request.headers['content-encoding'],
          body: request.raw,
        });
        return { message: 'Uploaded', size };
      } catch (error) {
        // Refused before the body was read: answer at once and close, rather than read it all (as S3 and nginx do).
        if (!request.raw.complete) {
          request.raw.resume();
          reply.header('connection', 'close');
        }
        throw error;
      }
    },
  );
};

export default route;
