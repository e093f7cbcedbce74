// POST /api/graph/signed-put: step 1 of a graph upload, an upload URL on this mirror.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { SignedPutBody, SignedPutResponse } from '../../../schemas/graph.js';
import { createUploadUrl } from '../../../services/graph/uploads.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/signed-put',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'graphSignedPut',
        summary: 'Upload Graph 1/2 - Get an upload URL',
        description:
          'An upload URL on this mirror, in the manner of an S3 presigned PUT: `curl -X PUT -T my-graph.json <url>` (no API key; the signature is the authority). ' +
          'It expires after GRAPH_UPLOAD_URL_TTL_SECONDS (default 1 hour), takes exactly `contentLength` bytes (plain JSON, or gzip with `Content-Encoding: gzip`) and is used once. ' +
          'At most 200 a day per address, as upstream. Then call graph/save-to-db with the putRequestId.',
        security: KEY_REQUIRED,
        body: SignedPutBody,
        response: { 200: SignedPutResponse, ...errorResponses(401, 413, 429, 503) },
      },
    },
    async (request) =>
      createUploadUrl(graphDeps(fastify), {
        viewer: request.viewer,
        ip: request.ip,
        filename: request.body.filename,
        contentLength: request.body.contentLength,
      }),
  );
};

export default route;
