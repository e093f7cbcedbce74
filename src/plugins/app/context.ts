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
import { hubClient, type HubClient } from '../../upstream/huggingface.js';
import { graphServerClient, type GraphServerClient } from '../../upstream/graph-server.js';
import { openStorage, type BlobStorage } from '../../storage/index.js';
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
    /** The Hugging Face hub (HF_ENDPOINT), for SAE checkpoints. */
    hub: HubClient;
    /** Where graph files live (a folder or an S3-compatible bucket); undefined: not configured. */
    graphStorage: BlobStorage | undefined;
    /** The graph server, when GRAPH_SERVER_URL is set. */
    graphServer: GraphServerClient | undefined;
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
    fastify.decorate('hub', hubClient(config.huggingFace));
    fastify.decorate('graphStorage', config.graphs.storage ? openStorage(config.graphs.storage) : undefined);
    fastify.decorate('graphServer', config.graphs.server ? graphServerClient(config.graphs.server) : undefined);
    fastify.decorateRequest('viewer', null);
  },
  { name: 'context' },
);
