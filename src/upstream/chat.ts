// Client for an OpenAI-compatible `/v1/chat/completions` endpoint. Retries 429 and 5xx with
// backoff; a timeout becomes 504 and any other failure 502, so callers never hang.
import { UpstreamFailed, UpstreamTimeout } from '../errors.js';

export interface ChatSettings {
  url: string;
  apiKey: string | undefined;
  timeoutMs: number;
  retries: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatClient {
  complete(model: string, messages: ChatMessage[], options?: { maxTokens?: number; temperature?: number }): Promise<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function chatClient(settings: ChatSettings, fetchImpl: typeof fetch = fetch): ChatClient {
  const endpoint = `${settings.url.replace(/\/+$/, '')}/chat/completions`;
  return {
    async complete(model, messages, options = {}) {
      const body = JSON.stringify({ model, messages, max_tokens: options.maxTokens ?? 500, temperature: options.temperature ?? 1.0 });
      let lastError = 'no answer';
      for (let attempt = 0; attempt <= settings.retries; attempt++) {
        if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
        let response: Response;
        try {
          response = await fetchImpl(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
            body,
            signal: AbortSignal.timeout(settings.timeoutMs),
          });
        } catch (error) {
          if ((error as Error).name === 'TimeoutError')
            throw new UpstreamTimeout(`The LLM did not answer within ${settings.timeoutMs} ms (LLM_TIMEOUT_MS).`);
          lastError = (error as Error).message;
          continue;
        }
        const text = await response.text();
        if (response.status === 429 || response.status >= 500) {
          lastError = `HTTP ${response.status}: ${text.slice(0, 200)}`;
          continue;
        }
        if (!response.ok) throw new UpstreamFailed(`The LLM answered HTTP ${response.status}: ${text.slice(0, 300)}`);
        try {
          const content = (JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
          if (typeof content === 'string') return content;
        } catch {
          // falls through to the error below
        }
        throw new UpstreamFailed('The LLM answered something that is not a chat completion.');
      }
      throw new UpstreamFailed(`The LLM is unavailable after ${settings.retries + 1} attempts: ${lastError}`);
    },
  };
}
