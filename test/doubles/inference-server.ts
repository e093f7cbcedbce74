// Stand-in for neuronpedia-inference (apps/inference; protocol in docs/upstream-inference-openapi.json):
// the /v1/activation/*, /v1/steer/*, /v1/tokenize and /v1/util/* paths with camelCase fields,
// X-SECRET-KEY, FastAPI-style 422s for missing fields, `{error}` bodies, and server-sent events
// when `stream` is true. Answers are deterministic functions of the request (see `activationOf`
// and `steerToken`), so tests can compute what the mirror should return. It records every request
// and can be made slow, fail with 500, drop connections, or drop a stream midway, and it notices when
// a client hangs up on an unfinished answer.
import http from 'node:http';
import type { Socket } from 'node:net';

export { BOS, hash, tokenize } from './inference-tokens.js';
import { BOS, hash, tokenize } from './inference-tokens.js';
import { utilAnswer, UTIL_REQUIRED } from './inference-util.js';
import { steer } from './inference-steer.js';
export { chatTemplate, steerToken } from './inference-steer.js';

/** A feature's activation on a token: zero on BOS and on three tokens in four, else 0.01–10. */
export function activationOf(source: string, index: number | string, token: string): number {
  if (token === BOS) return 0;
  const h = hash(`${source}|${index}|${token.trim().toLowerCase()}`);
  return h % 4 === 0 ? (((h >>> 8) % 1000) + 1) / 100 : 0;
}

/** A steering vector's activation on a token. */
export function vectorActivationOf(vector: number[], token: string): number {
  return activationOf(`vector:${vector.slice(0, 8).join(',')}`, vector.length, token);
}

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export interface InferenceDouble {
  url: string;
  secret: string;
  requests: RecordedRequest[];
  /** Requests whose client closed the connection before the answer was finished (not those the stand-in dropped itself). */
  abandoned: RecordedRequest[];
  /** Features per source for search-all and top-k (indexes 0…n-1). */
  featuresPerSource: number;
  /** Sources of each source set, for search-all requests that select none. */
  sourceSets: Record<string, string[]>;
  /** When set, a request for another `model` is refused as the real server does. */
  model: string | undefined;
  /** Answer the next N requests with 500. */
  failNext: number;
  /** Destroy the connection of the next N requests without answering. */
  dropNext: number;
  /** Wait this long before answering (ms). */
  delayMs: number;
  /** Wait this long between stream frames (ms). */
  frameDelayMs: number;
  /** Destroy the connection of the next stream after this many frames. */
  dropStreamAfterFrames: number | undefined;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Answer = { status: number; body: unknown } | { frames: unknown[]; last: unknown };

const REQUIRED: Record<string, string[]> = {
  '/v1/activation/all': ['prompt', 'model', 'sourceSet', 'selectedSources', 'sortByTokenIndexes', 'ignoreBos'],
  '/v1/activation/all-batch': ['prompts', 'model', 'sourceSet', 'selectedSources', 'sortByTokenIndexes', 'ignoreBos'],
  '/v1/activation/topk-by-token': ['prompt', 'model', 'source'],
  '/v1/activation/topk-by-token-batch': ['prompts', 'model', 'source'],
  '/v1/activation/single': ['prompt', 'model'],
  '/v1/activation/single-batch': ['prompts', 'model'],
  '/v1/activation/source': ['prompts', 'model', 'source'],
  '/v1/steer/completion': [
    'prompt',
    'model',
    'steerMethod',
    'normalizeSteering',
    'types',
    'nCompletionTokens',
    'temperature',
    'strengthMultiplier',
    'freqPenalty',
    'seed',
  ],
  '/v1/steer/completion-chat': [
    'prompt',
    'model',
    'steerMethod',
    'normalizeSteering',
    'types',
    'nCompletionTokens',
    'temperature',
    'strengthMultiplier',
    'freqPenalty',
    'seed',
    'steerSpecialTokens',
  ],
  '/v1/util/sae-vector': ['model', 'source', 'index'],
  ...UTIL_REQUIRED,
};

function activationsAll(double: InferenceDouble, prompt: string, body: Body) {
  const tokens = tokenize(prompt);
  const selected = body.selectedSources as string[];
  const sources = selected.length > 0 ? selected : (double.sourceSets[body.sourceSet as string] ?? []);
  const sortBy = body.sortByTokenIndexes as number[];
  const all = sources.flatMap((source) =>
    Array.from({ length: double.featuresPerSource }, (_, index) => {
      const values = tokens.map((t) => activationOf(source, index, t));
      const maxValue = Math.max(...values);
      return {
        source,
        index,
        values,
        maxValue,
        maxValueIndex: values.indexOf(maxValue),
        sumValues: sortBy.reduce((sum, i) => sum + (values[i] ?? 0), 0),
      };
    }),
  );
  const key = (a: (typeof all)[number]) => (sortBy.length > 0 ? a.sumValues : a.maxValue);
  all.sort((a, b) => key(b) - key(a) || a.source.localeCompare(b.source) || a.index - b.index);
  return { activations: all.slice(0, (body.numResults as number | undefined) ?? 25), tokens };
}

function topkByToken(double: InferenceDouble, prompt: string, body: Body) {
  const tokens = tokenize(prompt);
  const topK = (body.topK as number | undefined) ?? 5;
  const results = tokens.map((token, tokenPosition) => {
    const features = Array.from({ length: double.featuresPerSource }, (_, featureIndex) => ({
      featureIndex,
      activationValue: activationOf(body.source as string, featureIndex, token),
    }))
      .filter((f) => f.activationValue > 0)
      .sort((a, b) => b.activationValue - a.activationValue || a.featureIndex - b.featureIndex)
      .slice(0, topK);
    return { tokenPosition, token, isSpecial: token.trim() === BOS, topFeatures: features };
  });
  // The real server's ignoreBos drops position 0 only: a special token later in the text (an EOS) stays, marked isSpecial.
  return { tokens, results: body.ignoreBos ? results.slice(1) : results };
}

function single(prompt: string, body: Body) {
  const tokens = tokenize(prompt);
  const values = tokens.map((t) =>
    Array.isArray(body.vector)
      ? vectorActivationOf(body.vector as number[], t)
      : activationOf(body.source as string, body.index as string, t),
  );
  const maxValue = Math.max(...values);
  return {
    activation: { values, maxValue, maxValueIndex: values.indexOf(maxValue) },
    tokens,
    tokensIsSpecial: tokens.map((t) => t === BOS),
  };
}

function answer(double: InferenceDouble, path: string, body: Body): Answer {
  const missing = (REQUIRED[path] ?? []).filter((field) => body[field] === undefined);
  if (!REQUIRED[path]) return { status: 404, body: { detail: 'Not Found' } };
  if (missing.length > 0)
    return { status: 422, body: { detail: missing.map((field) => ({ type: 'missing', loc: ['body', field], msg: 'Field required' })) } };
  const modelName = body.model ?? body.modelId;
  if (double.model !== undefined && modelName !== double.model)
    return { status: 400, body: { error: `Model ${String(modelName)} is not loaded on this server (loaded: ${double.model})` } };
  switch (path) {
    case '/v1/activation/all':
      return { status: 200, body: activationsAll(double, body.prompt as string, body) };
    case '/v1/activation/all-batch':
      return { status: 200, body: { results: (body.prompts as string[]).map((p) => activationsAll(double, p, body)) } };
    case '/v1/activation/topk-by-token':
      return { status: 200, body: topkByToken(double, body.prompt as string, body) };
    case '/v1/activation/topk-by-token-batch':
      return { status: 200, body: { results: (body.prompts as string[]).map((p) => topkByToken(double, p, body)) } };
    case '/v1/activation/single':
      return { status: 200, body: single(body.prompt as string, body) };
    case '/v1/activation/single-batch':
      return { status: 200, body: { results: (body.prompts as string[]).map((p) => single(p, body)) } };
    case '/v1/activation/source':
      return {
        status: 200,
        body: {
          results: (body.prompts as string[]).map((prompt) => {
            const tokens = tokenize(prompt);
            const activeFeatures: Record<string, Array<[number, number]>> = {};
            for (let index = 0; index < double.featuresPerSource; index++) {
              const active = tokens.flatMap((t, i): Array<[number, number]> =>
                activationOf(body.source as string, index, t) > 0 ? [[i, activationOf(body.source as string, index, t)]] : [],
              );
              if (active.length > 0) activeFeatures[String(index)] = active;
            }
            return { tokens, activeFeatures };
          }),
        },
      };
    case '/v1/util/sae-vector':
      return {
        status: 200,
        body: {
          hookName: `blocks.${parseInt(body.source as string, 10) || 0}.hook_resid_pre`,
          vector: Array.from({ length: 8 }, (_, k) => activationOf(body.source as string, body.index as number, `v${k}`)),
        },
      };
    default:
      return utilAnswer(double, path, body) ?? steer(path, body);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startInferenceDouble(options: { secret?: string; model?: string } = {}): Promise<InferenceDouble> {
  const sockets = new Set<Socket>();
  const double: InferenceDouble = {
    url: '',
    secret: options.secret ?? 'inference-secret',
    requests: [],
    abandoned: [],
    featuresPerSource: 32,
    sourceSets: {},
    model: options.model,
    failNext: 0,
    dropNext: 0,
    delayMs: 0,
    frameDelayMs: 0,
    dropStreamAfterFrames: undefined,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      void (async () => {
        const reply = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.headers['x-secret-key'] !== double.secret) return reply(401, { error: 'Invalid or missing X-SECRET-KEY header' });
        let body: Body;
        try {
          body = JSON.parse(raw) as Body;
        } catch {
          return reply(422, { detail: 'JSON decode error' });
        }
        const recorded = { path: req.url!, body, headers: req.headers };
        double.requests.push(recorded);
        let droppedHere = false;
        const drop = () => {
          droppedHere = true;
          req.socket.destroy();
        };
        res.on('close', () => {
          if (!res.writableFinished && !droppedHere) double.abandoned.push(recorded);
        });
        if (double.dropNext > 0) {
          double.dropNext--;
          return drop();
        }
        if (double.delayMs > 0) await sleep(double.delayMs);
        if (res.destroyed) return;
        if (double.failNext > 0) {
          double.failNext--;
          return reply(500, { error: 'CUDA out of memory' });
        }
        const result = answer(double, req.url!, body);
        if ('status' in result) return reply(result.status, result.body);
        if (!body.stream) return reply(200, result.last);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const dropAfter = double.dropStreamAfterFrames;
        double.dropStreamAfterFrames = undefined;
        for (const [i, frame] of result.frames.entries()) {
          if (i > 0 && double.frameDelayMs > 0) await sleep(double.frameDelayMs);
          if (dropAfter !== undefined && i >= dropAfter) return drop();
          if (res.destroyed) return;
          res.write(`data: ${JSON.stringify(frame)}\n\n`);
        }
        res.end();
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return double;
}
