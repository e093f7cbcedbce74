// The benchmark's ceiling: a bare Fastify answering one JSON body from memory, on any path, as
// pre-serialized bytes (a Buffer, as the mirror's feature cache keeps them).
import fs from 'node:fs';
import Fastify from 'fastify';

const body = fs.readFileSync(process.env.BODY_FILE!);
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
