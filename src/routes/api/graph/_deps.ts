// What every graph route hands its service: the database, storage, settings and public URL.
import type { FastifyInstance } from 'fastify';
import type { GraphDeps } from '../../../services/graph/deps.js';

export const graphDeps = (fastify: FastifyInstance): GraphDeps => ({
  db: fastify.db,
  storage: fastify.graphStorage,
  settings: fastify.config.graphs,
  publicUrl: fastify.config.publicUrl,
});
