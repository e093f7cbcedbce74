// Stand-in for an OpenAI-compatible chat server: POST /v1/chat/completions. As an explainer it
// answers "[EXPLANATION]: " and the most frequent << >> span of the last user message; as a scorer
// (a "Feature explanation:" prompt) a 0/1 list judged by a keyword. So a test knows the right
// answer. It records requests, and can fail, answer nonsense, or be slow.
import http from 'node:http';

export interface LlmDouble {
  url: string;
  requests: Array<{
    model: string;
    messages: Array<{ role: string; content: string }>;
    max_tokens?: number;
    temperature?: number;
    authorization?: string;
  }>;
  /** The next N calls answer HTTP 500. */
  failNext: number;
  /** The next N calls answer text without an "[EXPLANATION]:" line. */
  garbleNext: number;
  delayMs: number;
  /** How the scorer answers: judge by the keyword, or all 1s, all 0s, the opposite, or no list. */
  scoring: 'keyword' | 'ones' | 'zeros' | 'invert' | 'garbage';
  close(): Promise<void>;
}

/**
 * Scorer: the keyword is the explanation's last word. Detection: 1 when an example contains it.
 * Fuzz: 1 when the example has marked spans and every one contains it.
 */
export function judge(prompt: string, mode: LlmDouble['scoring']): string {
  const explanation = /Feature explanation: (.*)/.exec(prompt)?.[1] ?? '';
  const keyword = (explanation.toLowerCase().match(/[a-z]+/g) ?? ['']).at(-1)!;
  const examples = [...prompt.matchAll(/^Example \d+: (.*)$/gm)].map((m) => m[1]!);
  const answers = examples.map((text) => {
    const spans = [...text.matchAll(/<<(.*?)>>/g)].map((m) => m[1]!.toLowerCase());
    const yes = text.includes('<<') ? spans.every((s) => s.includes(keyword)) : text.toLowerCase().includes(keyword);
    if (mode === 'ones') return 1;
    if (mode === 'zeros') return 0;
    return (mode === 'invert' ? !yes : yes) ? 1 : 0;
  });
  return mode === 'garbage' ? 'These all look fine to me.' : `[${answers.join(', ')}]`;
}

export function mostFrequentSpan(text: string): string {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/<<(.*?)>>/g)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'nothing';
}

export async function startLlmDouble(): Promise<LlmDouble> {
  const double: LlmDouble = { url: '', requests: [], failNext: 0, garbleNext: 0, delayMs: 0, scoring: 'keyword', close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return reply(404, { error: { message: 'not found' } });
      const body = JSON.parse(raw);
      double.requests.push({ ...body, authorization: req.headers.authorization });
      setTimeout(() => {
        if (double.failNext > 0) {
          double.failNext--;
          return reply(500, { error: { message: 'upstream overloaded' } });
        }
        const last = [...body.messages].reverse().find((m: { role: string }) => m.role === 'user')?.content ?? '';
        let content = last.includes('Feature explanation:')
          ? judge(last, double.scoring)
          : `Looking at the marked tokens.\n[EXPLANATION]: ${mostFrequentSpan(last)}`;
        if (double.garbleNext > 0) {
          double.garbleNext--;
          content = 'I am not sure what these have in common.';
        }
        reply(200, {
          id: 'chatcmpl-test',
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        });
      }, double.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  double.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return double;
}
