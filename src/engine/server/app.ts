// The engine as an inference server: the /v1 protocol of Neuronpedia's inference server
// (docs/upstream-inference-openapi.json) with its error shapes — `{error}` with 400 for bad
// input, FastAPI's 422 `{detail: [{type, loc, msg}]}` for a missing field, 401 without the
// X-SECRET-KEY it was started with — so any mirror can list it in INFERENCE_HOSTS.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { DomainError } from '../../errors.js';
import { activationAll, activationSingle, activationSource, activationTopkByToken } from '../api/activation.js';
import type { EngineLimits } from '../api/common.js';
import { NO_CHAT_TEMPLATE_ERROR, steerCompletion, type SteerRequest } from '../api/steer.js';
import { saeVector, tokenize } from '../api/util.js';
import { Registry } from '../registry.js';
import { fieldErrors } from './required.js';

export interface EngineServerOptions {
  modelsDir: string;
  /** Required in X-SECRET-KEY when set (upstream's SECRET). */
  secret?: string;
  /** Longest prompt (upstream TOKEN_LIMIT, default 400) and prompt + completion budget. */
  tokenLimit?: number;
  maxTokens?: number;
  logLevel?: string;
}

type Body = Record<string, unknown>;

export async function buildEngineServer(opts: EngineServerOptions): Promise<FastifyInstance> {
  const registry = new Registry(opts.modelsDir);
  const limits: EngineLimits & { maxTokens: number } = {
    tokenLimit: opts.tokenLimit ?? 400,
    maxTokens: opts.maxTokens ?? 1024,
  };
  const app = Fastify({ logger: { level: opts.logLevel ?? 'warn' }, bodyLimit: 16 * 1024 * 1024 });

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

  const post = (path: string, handler: (body: Body) => Promise<unknown>) =>
    app.post(path, async (req) => handler((req.body ?? {}) as Body));
  const batch =
    <T>(fn: (body: Body & { prompt: string }) => Promise<T>) =>
    async (body: Body) => ({
      results: await Promise.all((body.prompts as string[]).map((prompt) => fn({ ...body, prompt }))),
    });

  const all = (b: Body) => activationAll(registry, limits, b as never);
  const topk = (b: Body) => activationTopkByToken(registry, limits, b as never);
  const single = (b: Body) => activationSingle(registry, limits, b as never);
  post('/v1/activation/all', all);
  post('/v1/activation/all-batch', batch(all));
  post('/v1/activation/topk-by-token', topk);
  post('/v1/activation/topk-by-token-batch', batch(topk));
  post('/v1/activation/single', single);
  post('/v1/activation/single-batch', batch(single));
  post('/v1/activation/source', (b) => activationSource(registry, limits, b as never));
  post('/v1/util/sae-vector', (b) => saeVector(registry, b as never));
  post('/v1/tokenize', (b) => tokenize(registry, b as never));
  post('/v1/steer/completion-chat', async (b) => {
    await registry.model(b.model as string);
    throw new DomainError('BAD_REQUEST', NO_CHAT_TEMPLATE_ERROR); // GPT-2 has no chat template
  });

  app.post('/v1/steer/completion', async (req, reply) => {
    const body = req.body as SteerRequest & { stream?: boolean | null };
    if (!body.stream) return steerCompletion(registry, limits, body);
    return streamSteer(reply, (onFrame, signal) => steerCompletion(registry, limits, body, onFrame, signal));
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
