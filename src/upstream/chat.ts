// Client for an OpenAI-compatible `/v1/chat/completions` endpoint (LLM_URL). Retries 429, 5xx and
// connection failures with backoff (LLM_RETRIES); see http.ts for timeouts and messages.
import { UpstreamFailed } from '../errors.js';
import { postJson } from './http.js';

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

export function chatClient(settings: ChatSettings, fetchImpl: typeof fetch = fetch): ChatClient {
  const endpoint = `${settings.url.replace(/\/+$/, '')}/chat/completions`;
  const service = {
    name: 'The LLM',
    timeoutMs: settings.timeoutMs,
    timeoutSetting: 'LLM_TIMEOUT_MS',
    retries: settings.retries,
    fetch: fetchImpl,
  };
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
  return {
    async complete(model, messages, options = {}) {
      const body = { model, messages, max_tokens: options.maxTokens ?? 500, temperature: options.temperature ?? 1.0 };
      const answer = await postJson<{ choices?: Array<{ message?: { content?: unknown } }> }>(service, endpoint, body, headers);
      const content = answer?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new UpstreamFailed('The LLM answered something that is not a chat completion.');
      return content;
    },
  };
}
