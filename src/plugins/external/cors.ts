// CORS as the real server's middleware sets it for /api: any origin, GET and POST. We also allow the
// API key headers, since browsers must be able to send them to a mirror's private data.
import cors from '@fastify/cors';
import fp from 'fastify-plugin';

export default fp(
  async (fastify) => {
    await fastify.register(cors, {
      origin: '*',
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'X-Api-Key', 'Authorization'],
      maxAge: 86400,
    });
  },
  { name: 'cors' },
);
