// The engine as an inference server: the /v1 protocol of Neuronpedia's inference server
// (docs/upstream-inference-openapi.json) with its error shapes — `{error}` with 400 for bad
// input, FastAPI's 422 `{detail: [{type, loc, msg}]}` for a missing field, 401 without the
// X-SECRET-KEY it was started with — so any mirror can list it in INFERENCE_HOSTS.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { DomainError } from '../../errors.js';
import type { Operation } from '../api/dispatch.js';
import { NO_CHAT_TEMPLATE_ERROR } from '../api/steer.js';
import { inProcessEngine, workerEngine, type Engine } from '../worker/host.js';
import { fieldErrors } from './required.js';

export interface EngineServerOptions {
  modelsDir: string;
  /** Required in X-SECRET-KEY when set (upstream's SECRET). */
  secret?: string;
  /** Longest prompt (upstream TOKEN_LIMIT, default 400) and prompt + completion budget. */
  tokenLimit?: number;
  maxTokens?: number;
  logLevel?: string;
  /** Compute in a worker thread (default), or on the server's own thread. */
  worker?: boolean;
  threads?: number;
  /** ENGINE_MEMORY_MB: models and SAEs loaded within this budget (least recently used SAE unloaded). */
  memoryMb?: number;
}

type Body = Record<string, unknown>;

export async function buildEngineServer(opts: EngineServerOptions): Promise<FastifyInstance> {
  const limits = { tokenLimit: opts.tokenLimit ?? 400, maxTokens: opts.maxTokens ?? 1024 };
  const engineOptions = { modelsDir: opts.modelsDir, limits, threads: opts.threads, memoryMb: opts.memoryMb };
  const engine: Engine = opts.worker === false ? inProcessEngine(engineOptions) : workerEngine(engineOptions);
  const app = Fastify({ logger: { level: opts.logLevel ?? 'warn' }, bodyLimit: 16 * 1024 * 1024 });
  app.addHook('onClose', () => engine.close());

  app.addHook('onRequest', async (req, reply) => {
    if (opts.secret && req.url !== '/health' && req.headers['x-secret-key'] !== opts.secret) {
      return reply.code(401).send({ error: 'Invalid or missing X-SECRET-KEY header' });
    }
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(422).send({ detail: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be an object' }] });
    }
    const errors = fieldErrors(req.routeOptions.url ?? '', body as Body);
    if (errors.length > 0) return reply.code(422).send({ detail: errors });
  });
  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error instanceof DomainError) return reply.code(400).send({ error: error.message });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    app.log.error(error);
    return reply.code(500).send({ error: error.message });
  });

  app.get('/health', async () => ({ status: 'healthy' }));
  // Not in upstream's protocol: what this engine holds (models, SAEs by recency, memory used against
  // ENGINE_MEMORY_MB) and how much it has generated, for operators and tests.
  app.get('/v1/engine/status', async () => engine.call('status', {}));

  const post = (path: string, op: Operation) => app.post(path, async (req) => engine.call(op, req.body));
  const batch = (path: string, op: Operation) =>
    app.post(path, async (req) => {
      const body = req.body as Body;
      return { results: await Promise.all((body.prompts as string[]).map((prompt) => engine.call(op, { ...body, prompt }))) };
    });
  post('/v1/activation/all', 'all');
  batch('/v1/activation/all-batch', 'all');
  post('/v1/activation/topk-by-token', 'topk-by-token');
  batch('/v1/activation/topk-by-token-batch', 'topk-by-token');
  post('/v1/activation/single', 'single');
  batch('/v1/activation/single-batch', 'single');
  post('/v1/activation/source', 'source');
  post('/v1/util/sae-vector', 'sae-vector');
  post('/v1/tokenize', 'tokenize');
  post('/v1/util/similarity-matrix-pred', 'similarity-matrix-pred');
  app.post('/v1/steer/completion-chat', async (req) => {
    const model = (req.body as Body).model as string;
    const loaded = engine.registry.modelIds();
    if (!loaded.includes(model)) {
      throw new DomainError('BAD_REQUEST', `Model ${model} is not loaded on this server (loaded: ${loaded.join(', ') || 'none'})`);
    }
    throw new DomainError('BAD_REQUEST', NO_CHAT_TEMPLATE_ERROR); // GPT-2 has no chat template
  });

  app.post('/v1/steer/completion', async (req, reply) => {
    const body = req.body as Body;
    if (!body.stream) return engine.call('steer', body);
    return streamSteer(reply, (onFrame, signal) => engine.call('steer', body, onFrame, signal));
  });

  return app;
}

/** Server-sent events, one `data:` frame per generated token; stops when the client goes away. */
async function streamSteer(
  reply: FastifyReply,
  run: (onFrame: (frame: unknown) => void, signal: AbortSignal) => Promise<unknown>,
): Promise<FastifyReply> {
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  };
  try {
    await run((frame) => {
      start();
      reply.raw.write(`data: ${JSON.stringify(frame)}\n\n`);
    }, abort.signal);
  } catch (error) {
    if (!started) throw error; // before any frame: an ordinary JSON error
    reply.raw.write(`data: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
  }
  start();
  reply.raw.end();
  return reply;
}
