// Client for an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, llama.cpp, Ollama…).
// Explanation embeddings are 256-dimensional to match Neuronpedia's exports (text-embedding-3-large
// at 256 dimensions); the request asks for that size with `dimensions`.
import { UpstreamFailed } from '../errors.js';
import { postJson } from './http.js';

export interface EmbeddingSettings {
  /** Base URL up to and including `/v1`, e.g. `http://localhost:8000/v1`. */
  url: string;
  apiKey: string | undefined;
  model: string;
  dimensions: number;
  timeoutMs: number;
}

export interface EmbeddingClient {
  model: string;
  embed(texts: string[]): Promise<number[][]>;
}

/** Inputs per request: providers cap a request's inputs (OpenAI: 2048). */
const MAX_INPUTS = 256;

export function embeddingClient(settings: EmbeddingSettings, fetchImpl: typeof fetch = fetch): EmbeddingClient {
  const endpoint = `${settings.url.replace(/\/+$/, '')}/embeddings`;
  const service = {
    name: 'The embedding service',
    timeoutMs: settings.timeoutMs,
    timeoutSetting: 'EMBEDDING_TIMEOUT_MS',
    fetch: fetchImpl,
  };
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
  async function embedChunk(texts: string[]): Promise<number[][]> {
    const request = { model: settings.model, input: texts, dimensions: settings.dimensions, encoding_format: 'float' };
    const body = await postJson<{ data?: Array<{ index?: number; embedding?: unknown }> }>(service, endpoint, request, headers);
    const data = [...(body?.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    if (data.length !== texts.length)
      throw new UpstreamFailed(`The embedding service returned ${data.length} embeddings for ${texts.length} texts.`);
    return data.map(({ embedding }) => {
      if (!Array.isArray(embedding) || embedding.length !== settings.dimensions || !embedding.every((v) => typeof v === 'number')) {
        throw new UpstreamFailed(
          `The embedding service returned an embedding that is not ${settings.dimensions} numbers (set EMBEDDING_DIMENSIONS, or a model that supports it).`,
        );
      }
      return embedding as number[];
    });
  }
  return {
    model: settings.model,
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += MAX_INPUTS) out.push(...(await embedChunk(texts.slice(i, i + MAX_INPUTS))));
      return out;
    },
  };
}
