// Client for Neuronpedia's autointerp server (apps/autointerp): /v1/explain/default,
// /v1/score/fuzz-detection and /v1/score/embedding, authenticated with X-SECRET-KEY. A lab that
// already runs it can point the mirror at it instead of an LLM endpoint (AUTOINTERP_URL).
import { postJson } from './http.js';

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

export function autointerpClient(settings: AutointerpSettings, fetchImpl: typeof fetch = fetch): AutointerpClient {
  const base = settings.url.replace(/\/+$/, '');
  const service = {
    name: 'The autointerp service',
    timeoutMs: settings.timeoutMs,
    timeoutSetting: 'AUTOINTERP_TIMEOUT_MS',
    fetch: fetchImpl,
  };
  const headers: Record<string, string> = settings.secret ? { 'x-secret-key': settings.secret } : {};
  const post = <T>(path: string, body: object) => postJson<T>(service, `${base}${path}`, body, headers);
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
