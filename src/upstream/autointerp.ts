// Client for Neuronpedia's autointerp server (apps/autointerp): /v1/explain/default,
// /v1/score/fuzz-detection and /v1/score/embedding, authenticated with X-SECRET-KEY. A lab that
// already runs it can point the mirror at it instead of an LLM endpoint (AUTOINTERP_URL).
import { UpstreamFailed, UpstreamTimeout } from '../errors.js';

export interface AutointerpSettings {
  url: string;
  secret: string | undefined;
  /** Passed as `openrouterKey`: the autointerp server calls its LLMs through OpenRouter. */
  openRouterKey: string | undefined;
  timeoutMs: number;
}

export interface Activations {
  tokens: string[];
  values: number[];
}

export interface ClassifierBreakdown {
  strTokens: string[];
  distance: number;
  groundTruth: boolean;
  prediction: boolean;
  highlighted: boolean;
  correct: boolean;
  probability: number;
  activations: number[];
}

export interface AutointerpClient {
  explain(activations: Activations[], model: string): Promise<string>;
  fuzzDetection(
    type: 'FUZZ' | 'DETECTION',
    activations: Activations[],
    explanation: string,
    model: string,
  ): Promise<{ score: number; breakdown: ClassifierBreakdown[] }>;
  embedding(
    activations: Activations[],
    explanation: string,
  ): Promise<{ score: number; breakdown: Array<{ text: string; distance: number; similarity: number }> }>;
}

export const AUTOINTERP_UNAVAILABLE = 'The autointerp service is unavailable. Please try again shortly.';

export function autointerpClient(settings: AutointerpSettings, fetchImpl: typeof fetch = fetch): AutointerpClient {
  const base = settings.url.replace(/\/+$/, '');
  async function post<T>(path: string, body: object): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(settings.secret ? { 'x-secret-key': settings.secret } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new UpstreamTimeout(`The autointerp service did not answer within ${settings.timeoutMs} ms.`);
      throw new UpstreamFailed(AUTOINTERP_UNAVAILABLE);
    }
    const text = await response.text();
    if (!response.ok) throw new UpstreamFailed(`${AUTOINTERP_UNAVAILABLE} (HTTP ${response.status}: ${text.slice(0, 200)})`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UpstreamFailed(`${AUTOINTERP_UNAVAILABLE} (answer is not JSON)`);
    }
  }
  const key = settings.openRouterKey ? { openrouterKey: settings.openRouterKey } : {};
  return {
    async explain(activations, model) {
      return (await post<{ explanation: string }>('/v1/explain/default', { activations, model, ...key })).explanation;
    },
    async fuzzDetection(type, activations, explanation, model) {
      return post('/v1/score/fuzz-detection', { type, activations, explanation, model, ...key });
    },
    async embedding(activations, explanation) {
      return post('/v1/score/embedding', { activations, explanation });
    },
  };
}
