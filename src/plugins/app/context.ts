// Makes the configuration, the database and the feature cache available to every route.
import fp from 'fastify-plugin';
import type { Viewer } from '../../services/access/viewer.js';
import type { Config } from '../../config.js';
import type { Database, Db } from '../../db/client.js';
import { FeatureCache } from '../../services/feature/feature-cache.js';
import { inferenceClient, type InferenceClient } from '../../upstream/inference/client.js';
import { InferenceHosts } from '../../upstream/inference/hosts.js';
import { autointerpClient, type AutointerpClient } from '../../upstream/autointerp.js';
import { chatClient, type ChatClient } from '../../upstream/chat.js';
import { embeddingClient, type EmbeddingClient } from '../../upstream/embeddings.js';
import { withBuiltinEngine } from './builtin-engine.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    db: Db;
    featureCache: FeatureCache;
    /** The embeddings endpoint, when EMBEDDING_URL is set. */
    embeddings: EmbeddingClient | undefined;
    /** The LLM that writes explanations, when LLM_URL is set. */
    llm: ChatClient | undefined;
    /** Neuronpedia's autointerp server, when AUTOINTERP_URL is set. */
    autointerp: AutointerpClient | undefined;
    /** Inference servers (INFERENCE_HOSTS); calls answer 503 for models none serves. */
    inference: InferenceClient;
  }
  interface FastifyRequest {
    /** The authenticated caller, or null when anonymous. */
    viewer: Viewer | null;
  }
}

export interface ContextOptions {
  config: Config;
  database: Database;
}

export default fp<ContextOptions>(
  async (fastify, { config, database }) => {
    fastify.decorate('config', config);
    fastify.decorate('database', database);
    fastify.decorate('db', database.db);
    fastify.decorate('featureCache', new FeatureCache(config.featureCacheSize, config.featureCacheTtlMs));
    fastify.decorate('embeddings', config.embeddings ? embeddingClient(config.embeddings) : undefined);
    fastify.decorate('llm', config.llm ? chatClient(config.llm) : undefined);
    fastify.decorate('autointerp', config.autointerp ? autointerpClient(config.autointerp) : undefined);
    fastify.decorate('inference', inferenceClient(new InferenceHosts(await withBuiltinEngine(fastify, config))));
    fastify.decorateRequest('viewer', null);
  },
  { name: 'context' },
);
