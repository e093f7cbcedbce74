// JSON bodies: Fastify's own safe parser (prototype-poisoning checks), except that an empty body
// counts as no body (the Python client sends bodiless POSTs, sometimes with a JSON content type),
// and bytes that are not UTF-8 are refused: decoding them leniently would turn a lone surrogate's
// bytes (ED A0 80) into U+FFFD and store that, where Postgres itself refuses invalid UTF-8.
import fp from 'fastify-plugin';
import { DomainError } from '../../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export default fp(
  async (fastify) => {
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      let text: string;
      try {
        text = strictUtf8.decode(body as Buffer);
      } catch {
        return done(new DomainError('INVALID_JSON', 'Request body is not valid UTF-8.'), undefined);
      }
      if (text.trim() === '') return done(null, undefined);
      return parseJson(request, text, done);
    });
  },
  { name: 'json-body' },
);
