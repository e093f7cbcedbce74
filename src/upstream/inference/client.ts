// Client for neuronpedia-inference servers (apps/inference): JSON POSTs and server-sent event
// streams, with X-SECRET-KEY, a timeout on every call, and failover across the hosts configured
// for the model. Errors become API errors: none configured 503, the server's own error 502 with
// its message, no answer within the timeout 504. A request never waits longer than a host's
// timeout per host tried. Requests go through undici's `request` rather than `fetch`: the same
// HTTP client without the WHATWG Request/Response machinery, which cost about half a millisecond a
// call on the steering path (a request clone with a teed body, Headers objects, web streams).
import { createParser } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
import { DomainError, NotConfigured, UpstreamFailed, UpstreamTimeout } from '../../errors.js';
import { timeoutError, unavailableMessage } from '../http.js';
import type { InferenceHost, InferenceHosts, InferenceTarget } from './hosts.js';

export const INFERENCE_SETTINGS_HINT = 'INFERENCE_HOSTS (e.g. INFERENCE_HOSTS=gpt2-small=http://127.0.0.1:5002) or INFERENCE_HOSTS_FILE';

/** A host that answered an HTTP error: not retried elsewhere when it is the caller's fault (4xx). */
class HostAnswered extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function notConfigured(target: InferenceTarget): DomainError {
  const what = target.sourceSet ? `model "${target.modelId}" (source set "${target.sourceSet}")` : `model "${target.modelId}"`;
  return new NotConfigured(`No inference server is configured for ${what}. Set ${INFERENCE_SETTINGS_HINT}.`);
}

/** The inference server's `{error}` (or FastAPI's `{detail}`), else the status. */
function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const message = body.error ?? body.message ?? body.detail;
    if (typeof message === 'string') return message;
    if (message !== undefined) return JSON.stringify(message);
  } catch {
    // not JSON: a proxy's error page
  }
  return `The inference server answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

function upstreamError(status: number, message: string): DomainError {
  return new UpstreamFailed(status === 401 ? `${message} (check INFERENCE_SECRET)` : message, { upstreamStatus: status });
}

const isTimeout = (error: unknown) => (error as Error)?.name === 'TimeoutError';

const serverTimeout = (host: InferenceHost) => ({
  name: 'The inference server',
  timeoutMs: host.timeoutMs,
  timeoutSetting: 'INFERENCE_TIMEOUT_MS',
});

export interface InferenceClient {
  readonly hosts: InferenceHosts;
  /** POSTs JSON and returns the JSON answer. */
  post<T>(target: InferenceTarget, path: string, body: object, signal?: AbortSignal): Promise<T>;
  /** POSTs and yields the `data` of each server-sent event, parsed as JSON, as they arrive. */
  stream<T>(target: InferenceTarget, path: string, body: object, signal?: AbortSignal): AsyncGenerator<T>;
}

export function inferenceClient(hosts: InferenceHosts): InferenceClient {
  /**
   * Sends to each candidate host in turn until one answers 2xx (returned with its timer, which the
   * caller clears) or 4xx (thrown). Connection failures, 5xx and timeouts move on to the next host.
   */
  async function open(target: InferenceTarget, path: string, body: object, signal: AbortSignal | undefined) {
    const candidates = hosts.candidates(target);
    if (candidates.length === 0) throw notConfigured(target);
    const payload = JSON.stringify(body);
    let last: DomainError | undefined;
    for (const host of candidates) {
      if (signal?.aborted) throw signal.reason;
      const timer = new AbortController();
      const arm = () => setTimeout(() => timer.abort(new DOMException('timeout', 'TimeoutError')), host.timeoutMs);
      let timeout = arm();
      const rearm = () => {
        clearTimeout(timeout);
        timeout = arm();
      };
      const done = () => clearTimeout(timeout);
      try {
        const response: Dispatcher.ResponseData = await request(`${host.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(host.secret ? { 'x-secret-key': host.secret } : {}) },
          body: payload,
          signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
        });
        const status = response.statusCode;
        if (status >= 200 && status < 300) {
          hosts.markHealthy(host);
          return { response, host, timer, rearm, done };
        }
        const text = await response.body.text();
        done();
        if (status < 500) throw new HostAnswered(status, errorMessage(status, text));
        hosts.markFailed(host);
        last = upstreamError(status, errorMessage(status, text));
      } catch (error) {
        done();
        if (error instanceof HostAnswered) throw upstreamError(error.status, error.message);
        if (signal?.aborted) throw signal.reason;
        hosts.markFailed(host);
        last = timer.signal.aborted
          ? timeoutError(serverTimeout(host))
          : new UpstreamFailed(`${unavailableMessage('The inference service')} (${describe(host, error)})`);
      }
    }
    throw last!;
  }

  return {
    hosts,
    async post<T>(target: InferenceTarget, path: string, body: object, signal?: AbortSignal): Promise<T> {
      const { response, host, timer, done } = await open(target, path, body, signal);
      try {
        const text = await response.body.text();
        return JSON.parse(text) as T;
      } catch (error) {
        if (timer.signal.aborted || isTimeout(error))
          throw new UpstreamTimeout(`The inference server did not finish answering within ${host.timeoutMs} ms (INFERENCE_TIMEOUT_MS).`);
        throw new UpstreamFailed(`The inference server sent an answer that is not JSON (${describe(host, error)}).`);
      } finally {
        done();
      }
    },

    async *stream<T>(target: InferenceTarget, path: string, body: object, signal?: AbortSignal): AsyncGenerator<T> {
      const { response, host, timer, rearm, done } = await open(target, path, body, signal);
      const frames: T[] = [];
      let bad: Error | undefined;
      const parser = createParser({
        onEvent: (event) => {
          try {
            frames.push(JSON.parse(event.data) as T);
          } catch (error) {
            bad ??= error as Error;
          }
        },
      });
      const decoder = new TextDecoder();
      try {
        // The timeout bounds the wait for each frame: a long generation may stream for minutes.
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          rearm();
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (bad) throw new UpstreamFailed(`The inference server sent an event that is not JSON (${bad.message}).`);
          yield* frames.splice(0);
        }
      } catch (error) {
        if (error instanceof DomainError) throw error;
        if (signal?.aborted) throw signal.reason;
        if (timer.signal.aborted)
          throw new UpstreamTimeout(`The inference server sent nothing for ${host.timeoutMs} ms (INFERENCE_TIMEOUT_MS).`);
        throw new UpstreamFailed(`The inference server closed the stream before it finished (${describe(host, error)}).`);
      } finally {
        done();
        timer.abort();
      }
    },
  };
}

function describe(host: InferenceHost, error: unknown): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string; message?: string } };
  return `${new URL(host.url).host}: ${cause?.code ?? code ?? cause?.message ?? (error as Error)?.message ?? String(error)}`;
}
