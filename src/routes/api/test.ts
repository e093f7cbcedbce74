// POST /api/test {apiKey}: answers 200 when the key in the body is a valid key of this mirror, 401
// otherwise. SAELens's test_key() calls it (without a key header) and checks only the status;
// neuronpedia.org no longer serves it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API_KEY_SOURCE_MESSAGE, DomainError } from '../../errors.js';
import { errorResponses, KEY_OPTIONAL } from '../../schemas/common.js';
import { TestKeyBody, TestKeyResponse } from '../../schemas/test-key.js';

const route: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/api/test',
    {
      schema: {
        tags: ['Auth'],
        operationId: 'testApiKey',
        summary: 'Check an API key',
        description:
          'The key travels in the body (as SAELens sends it). 200 when it is a valid, unrevoked key of this mirror; 401 otherwise.',
        security: KEY_OPTIONAL,
        body: TestKeyBody,
        response: { 200: TestKeyResponse, ...errorResponses(401) },
      },
    },
    async (request) => {
      const check = await fastify.keyVerifier.verify(request.body.apiKey.trim());
      if (!check.ok) throw new DomainError('INVALID_API_KEY', `The API key is not valid here (${check.reason}). ${API_KEY_SOURCE_MESSAGE}`);
      return { message: 'The API key is valid.', user: { name: check.viewer.name } };
    },
  );
};

export default route;
