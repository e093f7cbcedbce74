// JSON bodies: Fastify's own safe parser (prototype-poisoning checks), except that an empty body
// counts as no body. The Python client sends bodiless POSTs, sometimes with a JSON content type.
import fp from 'fastify-plugin';

export default fp(
  async (fastify) => {
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body.toString();
      if (text.trim() === '') return done(null, undefined);
      return parseJson(request, text, done);
    });
  },
  { name: 'json-body' },
);
