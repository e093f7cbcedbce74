// openapi.json is generated from the route schemas that also validate requests and serialize
// responses, so the document cannot drift from the behaviour. Served at /api/openapi.json, with an
// interactive page at /api-doc.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

export default fp(
  async (fastify) => {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Neuronpedia Mirror API',
          version: '1.0.0',
          description:
            "A self-hosted server speaking Neuronpedia's REST API. Paths, fields and JSON shapes follow neuronpedia.org; " +
            'errors are `{error, message, code}`. Send an API key as `x-api-key: KEY` or `Authorization: Bearer KEY`.',
        },
        servers: [{ url: fastify.config.publicUrl }],
        components: {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
            bearer: { type: 'http', scheme: 'bearer' },
          },
        },
      },
      refResolver: {
        // Shared schemas appear under their $id in components.schemas (e.g. ErrorResponse).
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await fastify.register(swaggerUi, { routePrefix: '/api-doc', uiConfig: { docExpansion: 'list', deepLinking: true } });
    fastify.get('/api/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
  },
  { name: 'swagger', dependencies: ['context'] },
);
