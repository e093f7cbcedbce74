// Configuration from environment variables, validated once at start. Every variable is documented
// in README.md and .env.example; a bad value stops the process with a message naming it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configureGroups, RateLimitConfigError, type RateLimitGroup } from './services/rate-limit/groups.js';
import type { AutointerpSettings } from './upstream/autointerp.js';
import type { ChatSettings } from './upstream/chat.js';
import type { EmbeddingSettings } from './upstream/embeddings.js';
import type { HubSettings } from './upstream/huggingface.js';
import { DEFAULT_EF_SEARCH } from './db/queries/explanation-search.js';
import { InferenceHostsError, parseHostsFile, parseHostsSpec, type InferenceHostRule } from './upstream/inference/hosts.js';
import type { GraphStorageSettings } from './storage/index.js';
import type { GraphServerSettings } from './upstream/graph-server.js';
import type { ReplicaSettings } from './db/replicas.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  /** Postgres server to use; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database (and its lock file). */
  dataDir: string;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes; larger ones get 413. */
  bodyLimitBytes: number;
  /** Base URL this mirror is reached at, used in links it returns (e.g. `vector/new`'s `url`). */
  publicUrl: string;
  /** Honour X-Forwarded-For for client IPs (only behind a proxy you control). */
  trustProxy: boolean;
  /** How many serialized feature reads to keep in memory, and for how long (ms). 0 disables the cache. */
  featureCacheSize: number;
  featureCacheTtlMs: number;
  /** Load a small sample into an empty embedded database at start. */
  demoData: boolean;
  /** Endpoint groups with their limits per window (RATE_LIMITS applied to the defaults). */
  rateLimitGroups: Record<string, RateLimitGroup>;
  rateLimitWindowSeconds: number;
  /** Largest streamed (NDJSON) dashboard upload, in bytes, counted after decompression. */
  uploadStreamLimitBytes: number;
  /** Longest line (one JSON record) the importer and NDJSON uploads accept, in bytes. */
  maxLineBytes: number;
  /** How the importer reaches HTTP(S) exports (the CLI and the admin route). */
  importNetwork: ImportNetworkSettings;
  /** Export the admin import route reads when the request names no location (upstream's dataset bucket); undefined: none. */
  importDefaultLocation: string | undefined;
  /** OpenAI-compatible embeddings endpoint for explanations; undefined: not configured. */
  embeddings: EmbeddingSettings | undefined;
  /** OpenAI-compatible chat endpoint that writes explanations; undefined: not configured. */
  llm: ChatSettings | undefined;
  /** Neuronpedia's autointerp server; when set it explains and scores instead of LLM_URL/EMBEDDING_URL. */
  autointerp: AutointerpSettings | undefined;
  /** The model the stored explanation embeddings came from (the exports': text-embedding-3-large at 256). */
  storedEmbeddingModel: string;
  /** HNSW candidate list size for explanation search: higher finds more true neighbours, slower. */
  searchEfSearch: number;
  /** Inference servers by model and source set (INFERENCE_HOSTS and INFERENCE_HOSTS_FILE); empty: none. */
  inferenceHosts: InferenceHostRule[];
  /** The built-in engine's models folder (ENGINE_MODELS_DIR), for hosts written `builtin`. */
  engineModelsDir: string;
  /** ORT threads per matrix product in the built-in engine (ENGINE_THREADS). */
  engineThreads: number;
  /** Memory budget of the built-in engine's models and SAEs (ENGINE_MEMORY_MB); undefined: no limit. */
  engineMemoryMb: number | undefined;
  /** The Hugging Face hub SAE checkpoints are read from (HF_ENDPOINT, HF_TOKEN, HF_TIMEOUT_MS). */
  huggingFace: HubSettings;
  /** Attribution graph files and their upload URLs (graph/* routes). */
  graphs: GraphSettings;
  /** Streaming replicas for requests' reads (DATABASE_REPLICA_URLS, Postgres only); undefined: none. */
  replicas: ReplicaSettings | undefined;
  /** Worker processes sharing the port (WEB_CONCURRENCY); undefined: the number of cores on Postgres, 1 embedded. */
  webConcurrency: number | undefined;
}

export interface GraphSettings {
  /** Where graph JSON files live; undefined on Postgres without GRAPH_STORAGE_DIR or GRAPH_S3_BUCKET. */
  storage: GraphStorageSettings | undefined;
  /** Largest graph file accepted by an upload URL, in bytes, as sent (gzip counts compressed). */
  uploadLimitBytes: number;
  /** HMAC key of upload URLs; random per process when GRAPH_SIGNING_SECRET is unset. */
  signingSecret: string;
  /** How long an upload URL is valid, in seconds. */
  uploadUrlTtlSeconds: number;
  /** The graph server that generates graphs (graph/generate); undefined: not configured. */
  server: GraphServerSettings | undefined;
}

export interface ImportNetworkSettings {
  /** Allow export URLs that resolve to private, loopback or link-local addresses (a lab's own object store). */
  allowPrivateAddresses: boolean;
  /** Longest wait for a connection to an export host, in ms. */
  connectTimeoutMs: number;
  /** Longest wait for the next bytes of an answer (headers or body), in ms. */
  idleTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };
  const url = (name: string, protocols: string[], raw = read(name)): string | undefined => {
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL, got "${redact(raw)}"`);
      return undefined;
    }
  };

  const rateLimitGroups = (spec: string | undefined) => {
    try {
      return configureGroups(spec);
    } catch (error) {
      if (!(error instanceof RateLimitConfigError)) throw error;
      problems.push(error.message);
      return configureGroups(undefined);
    }
  };

  const port = integer('PORT', 3000, 1, 65535);
  const logLevel = (read('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const config: Config = {
    port,
    host: read('HOST') ?? '127.0.0.1',
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(read('DATA_DIR') ?? './data'),
    logLevel,
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    publicUrl: (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    trustProxy: boolean('TRUST_PROXY', false),
    featureCacheSize: integer('FEATURE_CACHE_SIZE', 2000, 0, 10_000_000),
    featureCacheTtlMs: integer('FEATURE_CACHE_TTL_MS', 30_000, 0, 86_400_000),
    demoData: boolean('DEMO_DATA', true),
    rateLimitGroups: rateLimitGroups(read('RATE_LIMITS')),
    rateLimitWindowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 3600, 1, 31 * 86400),
    uploadStreamLimitBytes: integer('UPLOAD_STREAM_LIMIT_BYTES', 1024 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
    maxLineBytes: integer('MAX_LINE_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    importNetwork: {
      allowPrivateAddresses: boolean('IMPORT_ALLOW_PRIVATE_ADDRESSES', false),
      connectTimeoutMs: integer('IMPORT_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
      idleTimeoutMs: integer('IMPORT_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    },
    importDefaultLocation: read('IMPORT_DEFAULT_LOCATION'),
    embeddings: undefined,
    llm: undefined,
    autointerp: undefined,
    storedEmbeddingModel: read('STORED_EMBEDDING_MODEL') ?? 'text-embedding-3-large',
    searchEfSearch: integer('SEARCH_EF_SEARCH', DEFAULT_EF_SEARCH, 10, 1000),
    inferenceHosts: [],
    engineModelsDir: path.resolve(read('ENGINE_MODELS_DIR') ?? path.join(read('DATA_DIR') ?? './data', 'models')),
    engineThreads: integer('ENGINE_THREADS', 1, 1, 64),
    engineMemoryMb: read('ENGINE_MEMORY_MB') === undefined ? undefined : integer('ENGINE_MEMORY_MB', 0, 1, 10_000_000),
    huggingFace: {
      endpoint: (url('HF_ENDPOINT', ['http:', 'https:']) ?? 'https://huggingface.co').replace(/\/+$/, ''),
      token: read('HF_TOKEN'),
      timeoutMs: integer('HF_TIMEOUT_MS', 30_000, 100, 600_000),
    },
    graphs: {
      storage: undefined,
      // Upstream's limit (MAX_GRAPH_UPLOAD_SIZE_BYTES) is 100 MiB; its docs say 200 MiB.
      uploadLimitBytes: integer('GRAPH_UPLOAD_LIMIT_BYTES', 200 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
      signingSecret: read('GRAPH_SIGNING_SECRET') ?? randomBytes(32).toString('hex'),
      uploadUrlTtlSeconds: integer('GRAPH_UPLOAD_URL_TTL_SECONDS', 3600, 1, 7 * 86400),
      server: undefined,
    },
    replicas: undefined,
    webConcurrency: read('WEB_CONCURRENCY') === undefined ? undefined : integer('WEB_CONCURRENCY', 1, 1, 1024),
  };
  const replicaUrls = (read('DATABASE_REPLICA_URLS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (replicaUrls.length > 0) {
    if (!config.databaseUrl) problems.push('DATABASE_REPLICA_URLS needs DATABASE_URL (the embedded database has no replicas)');
    for (const [i, raw] of replicaUrls.entries()) url(`DATABASE_REPLICA_URLS[${i}]`, ['postgres:', 'postgresql:'], raw);
    config.replicas = {
      urls: replicaUrls,
      maxLagMs: integer('DATABASE_REPLICA_MAX_LAG_MS', 5000, 0, 3_600_000),
      checkIntervalMs: integer('DATABASE_REPLICA_CHECK_MS', 250, 10, 60_000),
    };
  }
  const graphBucket = read('GRAPH_S3_BUCKET');
  const graphDir = read('GRAPH_STORAGE_DIR');
  if (graphBucket) {
    const accessKeyId = read('GRAPH_S3_ACCESS_KEY_ID');
    const secretAccessKey = read('GRAPH_S3_SECRET_ACCESS_KEY');
    if (!accessKeyId || !secretAccessKey) problems.push('GRAPH_S3_BUCKET needs GRAPH_S3_ACCESS_KEY_ID and GRAPH_S3_SECRET_ACCESS_KEY');
    config.graphs.storage = {
      kind: 's3',
      bucket: graphBucket,
      endpoint: url('GRAPH_S3_ENDPOINT', ['http:', 'https:']),
      region: read('GRAPH_S3_REGION') ?? 'us-east-1',
      accessKeyId: accessKeyId ?? '',
      secretAccessKey: secretAccessKey ?? '',
      timeoutMs: integer('GRAPH_S3_TIMEOUT_MS', 60_000, 100, 3_600_000),
    };
  } else if (graphDir || !config.databaseUrl) {
    // The embedded database keeps graphs beside itself; a Postgres server has no data folder of ours.
    config.graphs.storage = { kind: 'fs', dir: path.resolve(graphDir ?? path.join(config.dataDir, 'graphs')) };
  }
  const graphServerUrl = url('GRAPH_SERVER_URL', ['http:', 'https:']);
  if (graphServerUrl)
    config.graphs.server = {
      url: graphServerUrl,
      secret: read('GRAPH_SERVER_SECRET'),
      timeoutMs: integer('GRAPH_SERVER_TIMEOUT_MS', 600_000, 100, 3_600_000),
    };
  const inferenceDefaults = { secret: read('INFERENCE_SECRET'), timeoutMs: integer('INFERENCE_TIMEOUT_MS', 120_000, 100, 3_600_000) };
  try {
    const spec = read('INFERENCE_HOSTS');
    const file = read('INFERENCE_HOSTS_FILE');
    // File entries first: they can be more specific (per-host secrets and timeouts).
    if (file) config.inferenceHosts.push(...parseHostsFile(readFileSync(file, 'utf8'), inferenceDefaults));
    if (spec) config.inferenceHosts.push(...parseHostsSpec(spec, inferenceDefaults));
  } catch (error) {
    if (error instanceof InferenceHostsError) problems.push(error.message);
    else problems.push(`INFERENCE_HOSTS_FILE cannot be read: ${(error as Error).message}`);
  }
  const autointerpUrl = url('AUTOINTERP_URL', ['http:', 'https:']);
  if (autointerpUrl) {
    config.autointerp = {
      url: autointerpUrl,
      secret: read('AUTOINTERP_SECRET'),
      openRouterKey: read('AUTOINTERP_OPENROUTER_KEY'),
      timeoutMs: integer('AUTOINTERP_TIMEOUT_MS', 120_000, 100, 600_000),
    };
  }
  const llmUrl = url('LLM_URL', ['http:', 'https:']);
  if (llmUrl)
    config.llm = {
      url: llmUrl,
      apiKey: read('LLM_API_KEY'),
      timeoutMs: integer('LLM_TIMEOUT_MS', 60_000, 100, 600_000),
      retries: integer('LLM_RETRIES', 2, 0, 10),
    };
  const embeddingUrl = url('EMBEDDING_URL', ['http:', 'https:']);
  // The Explanation.embedding column is vector(256), the size of the exported embeddings.
  const embeddingDimensions = integer('EMBEDDING_DIMENSIONS', 256, 256, 256);
  if (embeddingUrl) {
    config.embeddings = {
      url: embeddingUrl,
      apiKey: read('EMBEDDING_API_KEY'),
      model: read('EMBEDDING_MODEL') ?? 'text-embedding-3-large',
      dimensions: embeddingDimensions,
      timeoutMs: integer('EMBEDDING_TIMEOUT_MS', 30_000, 100, 600_000),
    };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Hides a password in a connection string before it is printed. */
export function redact(value: string): string {
  return value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
