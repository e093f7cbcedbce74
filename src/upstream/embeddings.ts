// Client for an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, llama.cpp, Ollama…).
// Explanation embeddings are 256-dimensional to match Neuronpedia's exports (text-embedding-3-large
// at 256 dimensions); the request asks for that size with `dimensions`.
import { UpstreamFailed, UpstreamTimeout } from '../errors.js';

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
  async function embedChunk(texts: string[]): Promise<number[][]> {
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
        body: JSON.stringify({ model: settings.model, input: texts, dimensions: settings.dimensions, encoding_format: 'float' }),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new UpstreamTimeout(`The embedding service did not answer within ${settings.timeoutMs} ms.`);
      throw new UpstreamFailed(`The embedding service is unavailable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new UpstreamFailed(`The embedding service answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    let body: { data?: Array<{ index?: number; embedding?: unknown }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamFailed('The embedding service answered something that is not JSON.');
    }
    const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
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
