// Refuses text that no database can store, wherever a request carries it (path parameters, query
// string, JSON body), before any handler sees it: NUL makes Postgres fail mid-query, and a lone
// UTF-16 surrogate would be stored as U+FFFD or echoed back unpaired. Streamed bodies (NDJSON) are
// checked line by line where they are read.
import fp from 'fastify-plugin';
import { DomainError } from '../../errors.js';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '../../validation.js';

export default fp(
  async (fastify) => {
    fastify.addHook('preValidation', async (request) => {
      const parts: Array<[unknown, string]> = [
        [request.params, 'params'],
        [request.query, 'querystring'],
        [request.body, 'body'],
      ];
      for (const [value, name] of parts) {
        if (value === undefined || value === null || typeof (value as { pipe?: unknown }).pipe === 'function') continue;
        const where = findUnstorableText(value, name);
        if (where !== undefined) throw new DomainError('VALIDATION_ERROR', `${where} ${UNSTORABLE_TEXT_MESSAGE}.`);
      }
    });
  },
  { name: 'input-guard', dependencies: ['errors'] },
);
