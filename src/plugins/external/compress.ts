// gzip (or deflate) when the client asks: the Python client always sends Accept-Encoding: gzip and
// feature payloads are tens of kilobytes of JSON. Brotli is left out: it costs more CPU per byte.
import compress from '@fastify/compress';
import fp from 'fastify-plugin';

export default fp(
  async (fastify) => {
    await fastify.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });
  },
  { name: 'compress' },
);
