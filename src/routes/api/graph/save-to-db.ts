// POST /api/graph/save-to-db: step 2 of a graph upload; checks the uploaded file and records it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, KEY_REQUIRED } from '../../../schemas/common.js';
import { SaveToDbBody, SaveToDbResponse } from '../../../schemas/graph.js';
import { graphPageUrl } from '../../../services/graph/deps.js';
import { saveUploadedGraph } from '../../../services/graph/save.js';
import { graphDeps } from './_deps.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/graph/save-to-db',
    {
      preValidation: fastify.requireUser,
      schema: {
        tags: ['Attribution Graphs'],
        operationId: 'graphSaveToDb',
        summary: 'Upload Graph 2/2 - Save the uploaded graph',
        description:
          "Reads the file uploaded to the putRequestId's URL (streamed, never held whole), checks it against the graph schema's required parts " +
          '(metadata.slug, scan, prompt_tokens, prompt; qParams; nodes; links) and saves it under metadata.scan (the model, which must exist) and metadata.slug. ' +
          "Saving the same slug again replaces your graph; another user's slug is refused. `visibility` is a mirror extension (default PUBLIC).",
        security: KEY_REQUIRED,
        body: SaveToDbBody,
        response: { 200: SaveToDbResponse, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const { graph } = await saveUploadedGraph(graphDeps(fastify), {
        viewer: request.viewer,
        putRequestId: request.body.putRequestId,
        visibility: request.body.visibility,
      });
      return { message: 'Graph saved to database', url: graphPageUrl(fastify.config.publicUrl, graph.modelId, graph.slug) };
    },
  );
};

export default route;
