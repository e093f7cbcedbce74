// Stand-in for an OpenAI-compatible embeddings server: POST /v1/embeddings answers, for each
// input, a deterministic unit vector derived from the text (same text, same vector), and records
// every request. It can be told to fail.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface EmbeddingsDouble {
  url: string;
  requests: Array<{ model: string; input: string[]; dimensions: number; authorization?: string }>;
  failNext: number;
  close(): Promise<void>;
}

/** A pseudo-random vector for one word. */
function wordVector(word: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${word}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) values.push((digest.readUInt16BE(i) - 32768) / 32768);
  }
  return values;
}

/**
 * The sum of the text's word vectors, normalised: texts that share words are near each other, so
 * semantic search is testable for real (a query finds the explanations that share its words).
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  // A retrieval query ("Instruct: …\nQuery:<text>") is embedded by its query part only.
  const query = text.includes('Query:') ? text.slice(text.indexOf('Query:') + 'Query:'.length) : text;
  const words = query.toLowerCase().match(/[a-z0-9]+/g) ?? [''];
  const values = new Array<number>(dimensions).fill(0);
  for (const word of words) wordVector(word, dimensions).forEach((v, i) => (values[i]! += v));
  const norm = Math.hypot(...values) || 1;
  // Rounded to float4 precision, as pgvector stores them, so a round trip compares equal.
  return values.map((v) => Math.fround(v / norm));
}

export async function startEmbeddingsDouble(): Promise<EmbeddingsDouble> {
  const double: EmbeddingsDouble = { url: '', requests: [], failNext: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(raw) as { model: string; input: string | string[]; dimensions?: number };
      const input = Array.isArray(body.input) ? body.input : [body.input];
      const dimensions = body.dimensions ?? 1536;
      double.requests.push({ model: body.model, input, dimensions, authorization: req.headers.authorization });
      if (double.failNext > 0) {
        double.failNext--;
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'model overloaded' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, dimensions) })),
          usage: { prompt_tokens: 0, total_tokens: 0 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  double.close = () => new Promise((resolve) => server.close(() => resolve()));
  return double;
}
