import type { FastifyReply } from 'fastify';

/** Sends JSON that is already serialized (e.g. from a cache); Fastify passes strings through untouched. */
export function sendJsonText(reply: FastifyReply, body: string): FastifyReply {
  return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
}
