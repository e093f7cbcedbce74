import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redact } from '../src/config.js';

describe('loadConfig', () => {
  it('has defaults that work on a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      logLevel: 'info',
      publicUrl: 'http://localhost:3000',
      trustProxy: false,
    });
    expect(config.dataDir).toBe(path.resolve('data'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/np',
      DATA_DIR: '/tmp/x',
      LOG_LEVEL: 'warn',
      BODY_LIMIT_BYTES: '4096',
      PUBLIC_URL: 'https://mirror.example/',
      TRUST_PROXY: 'true',
      FEATURE_CACHE_SIZE: '0',
      FEATURE_CACHE_TTL_MS: '5',
      DEMO_DATA: 'false',
      SEARCH_EF_SEARCH: '250',
      INFERENCE_HOSTS: 'gpt2-small=http://gpu1:5002,http://gpu2:5002/; gemma-2-2b/gemmascope-res-16k=https://gpu3',
      INFERENCE_SECRET: 's3cret',
      INFERENCE_TIMEOUT_MS: '9000',
      IMPORT_DEFAULT_LOCATION: 'https://neuronpedia-datasets.s3.amazonaws.com/v1/',
      HF_ENDPOINT: 'http://hf-mirror.lab:8080/',
      HF_TOKEN: 'hf_x',
      HF_TIMEOUT_MS: '2000',
      GRAPH_STORAGE_DIR: '/tmp/g',
      GRAPH_UPLOAD_LIMIT_BYTES: '5000',
      GRAPH_SIGNING_SECRET: 'sign',
      GRAPH_UPLOAD_URL_TTL_SECONDS: '60',
      GRAPH_SERVER_URL: 'http://graph:5004',
      GRAPH_SERVER_SECRET: 'gs',
      GRAPH_SERVER_TIMEOUT_MS: '1000',
      ENGINE_MODELS_DIR: '/srv/models',
      ENGINE_THREADS: '2',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/np',
      dataDir: '/tmp/x',
      logLevel: 'warn',
      bodyLimitBytes: 4096,
      publicUrl: 'https://mirror.example',
      trustProxy: true,
      featureCacheSize: 0,
      featureCacheTtlMs: 5,
      demoData: false,
      rateLimitGroups: expect.objectContaining({ steer: expect.objectContaining({ limit: 100 }) }),
      rateLimitWindowSeconds: 3600,
      uploadStreamLimitBytes: 1024 * 1024 * 1024,
      maxLineBytes: 16 * 1024 * 1024,
      importNetwork: { allowPrivateAddresses: false, connectTimeoutMs: 10_000, idleTimeoutMs: 60_000 },
      importDefaultLocation: 'https://neuronpedia-datasets.s3.amazonaws.com/v1/',
      embeddings: undefined,
      llm: undefined,
      autointerp: undefined,
      storedEmbeddingModel: 'text-embedding-3-large',
      searchEfSearch: 250,
      inferenceHosts: [
        {
          modelId: 'gpt2-small',
          sourceSet: undefined,
          hosts: [
            { url: 'http://gpu1:5002', secret: 's3cret', timeoutMs: 9000 },
            { url: 'http://gpu2:5002', secret: 's3cret', timeoutMs: 9000 },
          ],
        },
        { modelId: 'gemma-2-2b', sourceSet: 'gemmascope-res-16k', hosts: [{ url: 'https://gpu3', secret: 's3cret', timeoutMs: 9000 }] },
      ],
      engineModelsDir: '/srv/models',
      engineThreads: 2,
      huggingFace: { endpoint: 'http://hf-mirror.lab:8080', token: 'hf_x', timeoutMs: 2000 },
      graphs: {
        storage: { kind: 'fs', dir: '/tmp/g' },
        uploadLimitBytes: 5000,
        signingSecret: 'sign',
        uploadUrlTtlSeconds: 60,
        server: { url: 'http://graph:5004', secret: 'gs', timeoutMs: 1000 },
      },
    });
  });

  it('keeps graphs in DATA_DIR/graphs on the embedded database, nowhere by default on Postgres, or in an S3 bucket', () => {
    expect(loadConfig({ DATA_DIR: '/tmp/x' }).graphs.storage).toEqual({ kind: 'fs', dir: '/tmp/x/graphs' });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/np' }).graphs.storage).toBeUndefined();
    const s3 = {
      GRAPH_S3_BUCKET: 'b',
      GRAPH_S3_ENDPOINT: 'http://minio:9000',
      GRAPH_S3_ACCESS_KEY_ID: 'k',
      GRAPH_S3_SECRET_ACCESS_KEY: 's',
    };
    expect(loadConfig(s3).graphs.storage).toEqual({
      kind: 's3',
      bucket: 'b',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      accessKeyId: 'k',
      secretAccessKey: 's',
      timeoutMs: 60_000,
    });
    expect(() => loadConfig({ GRAPH_S3_BUCKET: 'b' })).toThrow(/GRAPH_S3_ACCESS_KEY_ID/);
    // Without a secret each process signs with its own random one.
    expect(loadConfig({}).graphs.signingSecret).not.toBe(loadConfig({}).graphs.signingSecret);
  });

  it('reads replicas (Postgres only) and WEB_CONCURRENCY', () => {
    const pg = 'postgres://u@db:5432/np';
    expect(loadConfig({}).replicas).toBeUndefined();
    expect(loadConfig({}).webConcurrency).toBeUndefined();
    expect(
      loadConfig({ DATABASE_URL: pg, DATABASE_REPLICA_URLS: ' postgres://r1/np , postgres://r2/np', WEB_CONCURRENCY: '3' }),
    ).toMatchObject({
      replicas: { urls: ['postgres://r1/np', 'postgres://r2/np'], maxLagMs: 5000, checkIntervalMs: 250 },
      webConcurrency: 3,
    });
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/np' })).toThrow(/DATABASE_REPLICA_URLS needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: pg, DATABASE_REPLICA_URLS: 'http://r1' })).toThrow(
      /DATABASE_REPLICA_URLS\[0\] must be a postgres/,
    );
    expect(() => loadConfig({ WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY must be a whole number from 1/);
  });

  it('takes `builtin` as a host (the built-in engine), with its models under DATA_DIR by default', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/x', INFERENCE_HOSTS: 'gpt2-small=builtin' });
    expect(config.inferenceHosts[0]!.hosts[0]!.url).toBe('builtin');
    expect(config.engineModelsDir).toBe('/tmp/x/models');
    expect(() => loadConfig({ INFERENCE_HOSTS: 'gpt2-small=built-in' })).toThrow(/not an http:\/\/ or https:\/\/ URL, nor "builtin"/);
  });

  it('reads inference hosts from INFERENCE_HOSTS_FILE, with per-entry secret and timeout', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'np-config-'));
    const file = path.join(dir, 'hosts.json');
    writeFileSync(
      file,
      JSON.stringify([
        { model: 'gpt2-small', sourceSet: 'res-jb', urls: ['http://a:1'], secret: 'own', timeoutMs: 500 },
        { model: '*', urls: ['http://b:2'] },
      ]),
    );
    const config = loadConfig({ INFERENCE_HOSTS_FILE: file, INFERENCE_SECRET: 'shared' });
    expect(config.inferenceHosts).toEqual([
      { modelId: 'gpt2-small', sourceSet: 'res-jb', hosts: [{ url: 'http://a:1', secret: 'own', timeoutMs: 500 }] },
      { modelId: '*', sourceSet: undefined, hosts: [{ url: 'http://b:2', secret: 'shared', timeoutMs: 120_000 }] },
    ]);
    writeFileSync(file, '{"model": 1');
    expect(() => loadConfig({ INFERENCE_HOSTS_FILE: file })).toThrow(/INFERENCE_HOSTS_FILE: not JSON/);
    expect(() => loadConfig({ INFERENCE_HOSTS_FILE: path.join(dir, 'missing.json') })).toThrow(/INFERENCE_HOSTS_FILE cannot be read/);
    expect(() => loadConfig({ INFERENCE_HOSTS: 'gpt2-small=ftp://x' })).toThrow(/not an http:\/\/ or https:\/\/ URL/);
    expect(() => loadConfig({ INFERENCE_HOSTS: 'gpt2-small' })).toThrow(/INFERENCE_HOSTS/);
    expect(() => loadConfig({ SEARCH_EF_SEARCH: '5' })).toThrow(/SEARCH_EF_SEARCH/);
  });

  it('lists every bad value at once, naming each variable, without leaking a password', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        TRUST_PROXY: 'maybe',
        BODY_LIMIT_BYTES: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'TRUST_PROXY', 'BODY_LIMIT_BYTES']) expect(problems).toContain(name);
    expect(problems).not.toContain('hunter2');
  });

  it('rejects out-of-range ports', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number from 1 to 65535/);
    expect(() => loadConfig({ PORT: '0' })).toThrow(ConfigError);
  });

  it('redacts passwords in connection strings', () => {
    expect(redact('postgres://user:secret@host:5432/db')).toBe('postgres://user:***@host:5432/db');
  });
});
