// Stand-in for Neuronpedia's autointerp server: /v1/explain/default, /v1/score/fuzz-detection and
// /v1/score/embedding, guarded by X-SECRET-KEY as the real one. Deterministic: the explanation is
// the token with the highest activation in most examples; scores come from the rows' own labels
// (activating rows are those with any non-zero value). It records requests and can fail.
import http from 'node:http';

interface Row {
  tokens: string[];
  values: number[];
}

export interface AutointerpDouble {
  url: string;
  secret: string;
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  failNext: number;
  close(): Promise<void>;
}

export function topToken(rows: Row[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const i = r.values.indexOf(Math.max(...r.values));
    counts.set(r.tokens[i]!, (counts.get(r.tokens[i]!) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]?.trim() ?? '';
}

export async function startAutointerpDouble(secret = 'autointerp-secret'): Promise<AutointerpDouble> {
  const double: AutointerpDouble = { url: '', secret, requests: [], failNext: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers['x-secret-key'] !== double.secret) return reply(401, { error: 'Invalid or missing X-SECRET-KEY header' });
      const body = JSON.parse(raw) as Record<string, unknown>;
      double.requests.push({ path: req.url!, body });
      if (double.failNext > 0) {
        double.failNext--;
        return reply(500, { error: 'internal error' });
      }
      const rows = body.activations as Row[];
      const active = (r: Row) => r.values.some((v) => v !== 0);
      if (req.url === '/v1/explain/default') return reply(200, { explanation: topToken(rows) });
      if (req.url === '/v1/score/fuzz-detection') {
        // Predicts "activating" for rows whose text contains the explanation's last word.
        const keyword = String(body.explanation).toLowerCase().split(/\s+/).at(-1)!;
        const breakdown = rows.map((r) => {
          const prediction = r.tokens.join('').toLowerCase().includes(keyword);
          return {
            strTokens: r.tokens,
            distance: active(r) ? 1 : -1,
            groundTruth: active(r),
            prediction,
            highlighted: body.type === 'FUZZ',
            correct: prediction === active(r),
            probability: 0,
            activations: r.values,
          };
        });
        const rate = (t: boolean) =>
          breakdown.filter((b) => b.groundTruth === t && b.correct).length /
          Math.max(1, breakdown.filter((b) => b.groundTruth === t).length);
        return reply(200, { score: (rate(true) + rate(false)) / 2, breakdown });
      }
      if (req.url === '/v1/score/embedding') {
        const breakdown = rows.map((r) => ({ text: r.tokens.join(''), distance: active(r) ? 1 : -1, similarity: active(r) ? 0.9 : 0.1 }));
        return reply(200, { score: 1, breakdown });
      }
      return reply(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () => new Promise((resolve) => server.close(() => resolve()));
  return double;
}
