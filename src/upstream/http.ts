// The one way the mirror calls a model service's JSON endpoint: a timeout on every call, retries
// with backoff where the service allows them, and failures turned into domain errors whose
// messages name the service (and the setting to check), so no caller ever hangs or sees a stack.
// The inference client (inference/client.ts) fails over across hosts and streams instead of
// retrying one URL, so it keeps its own loop but answers with these same errors and messages.
import pRetry, { AbortError } from 'p-retry';
import { UpstreamFailed, UpstreamTimeout } from '../errors.js';

export interface ServiceSettings {
  /** How messages name the service, e.g. "The LLM", "The embedding service". */
  name: string;
  timeoutMs: number;
  /** The setting that sets `timeoutMs`, named in timeout messages. */
  timeoutSetting?: string;
  /** Further attempts after a connection failure, a 429 or a 5xx (default 0). */
  retries?: number;
  fetch?: typeof fetch;
}

const RETRY_BASE_MS = 250;

export const unavailableMessage = (name: string) => `${name} is unavailable. Please try again shortly.`;

/** A failure the next attempt may not meet (the service may recover); its message is final. */
class Retryable extends Error {}

/** POSTs `body` as JSON to `url` and returns the parsed JSON answer. */
export async function postJson<T>(service: ServiceSettings, url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const fetchImpl = service.fetch ?? fetch;
  const payload = JSON.stringify(body);
  const attempt = async (): Promise<string> => {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
        signal: AbortSignal.timeout(service.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new AbortError(timeoutError(service));
      throw new Retryable(`${unavailableMessage(service.name)} (${(error as Error).message})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new AbortError(timeoutError(service));
      throw new Retryable(`${unavailableMessage(service.name)} (the answer broke off: ${(error as Error).message})`);
    }
    if (response.status === 429 || response.status >= 500)
      throw new Retryable(`${unavailableMessage(service.name)} (HTTP ${response.status}: ${text.slice(0, 300)})`);
    if (!response.ok) throw new AbortError(new UpstreamFailed(`${service.name} answered HTTP ${response.status}: ${text.slice(0, 300)}`));
    return text;
  };
  const retries = service.retries ?? 0;
  let text: string;
  try {
    text = await pRetry(attempt, { retries, factor: 2, minTimeout: RETRY_BASE_MS, randomize: false });
  } catch (error) {
    if (!(error instanceof Retryable)) throw error;
    throw new UpstreamFailed(retries > 0 ? `${error.message} (after ${retries + 1} attempts)` : error.message);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamFailed(`${service.name} answered something that is not JSON.`);
  }
}

/** The timeout error every client answers: names the service, its limit and the setting. */
export function timeoutError(service: Pick<ServiceSettings, 'name' | 'timeoutMs' | 'timeoutSetting'>): UpstreamTimeout {
  const setting = service.timeoutSetting ? ` (${service.timeoutSetting})` : '';
  return new UpstreamTimeout(`${service.name} did not answer within ${service.timeoutMs} ms${setting}.`);
}
