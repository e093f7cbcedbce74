// Refuses text that no database can store, wherever a request carries it (path parameters, query
// string, JSON body), before any handler sees it: NUL makes Postgres fail mid-query, and a lone
// UTF-16 surrogate would be stored as U+FFFD or echoed back unpaired. Streamed bodies (NDJSON) are
// checked line by line where they are read.
import fp from 'fastify-plugin';
import { DomainError } from '../../errors.js';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '../../validation.js';

export default fp(
  async (fastify) => {
    // A callback hook: the check is synchronous, so the request goes on without a promise.
    fastify.addHook('preValidation', (request, _reply, done) => {
      const parts: Array<[unknown, string]> = [
        [request.params, 'params'],
        [request.query, 'querystring'],
        [request.body, 'body'],
      ];
      for (const [value, name] of parts) {
        if (value === undefined || value === null || typeof (value as { pipe?: unknown }).pipe === 'function') continue;
        const where = findUnstorableText(value, name);
        if (where !== undefined) return done(new DomainError('VALIDATION_ERROR', `${where} ${UNSTORABLE_TEXT_MESSAGE}.`));
      }
      done();
    });
  },
  { name: 'input-guard', dependencies: ['errors'] },
);
