// Stand-in for Neuronpedia's graph server (apps/graph), on loopback: POST /generate-graph checks
// x-secret-key, builds a small attribution graph for the prompt, and PUTs it gzipped to `signed_url`
// as the real server does (Content-Type application/json, Content-Encoding gzip, with its length),
// then answers `{success}`; a failed upload answers `{error: "Failed to upload file"}`.
import http from 'node:http';
import { gzipSync } from 'node:zlib';

export interface GraphServerDouble {
  url: string;
  /** Bodies of /generate-graph requests, as received. */
  requests: Array<Record<string, unknown>>;
  /** Status of the last PUT to signed_url. */
  lastUploadStatus: number | undefined;
  close(): Promise<void>;
}

export function graphFor(body: { prompt: string; model_id: string; slug_identifier: string }, nodes = 3) {
  const tokens = body.prompt.split(/(?=\s)/);
  return {
    metadata: {
      slug: body.slug_identifier,
      scan: body.model_id,
      prompt: body.prompt,
      prompt_tokens: tokens,
      node_threshold: 0.8,
      info: { creator_name: 'test' },
    },
    qParams: { pinnedIds: [], supernodes: [], linkType: 'both' },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      node_id: `${i}_1_1`,
      feature: i,
      layer: '1',
      ctx_idx: 1,
      feature_type: 'cross layer transcoder',
      jsNodeId: `${i}_1-0`,
      clerp: `node ${i}`,
    })),
    links: Array.from({ length: nodes - 1 }, (_, i) => ({ source: `${i}_1_1`, target: `${i + 1}_1_1`, weight: 0.5 })),
  };
}

export async function startGraphServerDouble(secret: string): Promise<GraphServerDouble> {
  const double: GraphServerDouble = { url: '', requests: [], lastUploadStatus: undefined, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const answer = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== '/generate-graph') return answer(404, { error: 'Not found' });
      if (req.headers['x-secret-key'] !== secret) return answer(401, { error: 'Invalid secret key' });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        prompt: string;
        model_id: string;
        slug_identifier: string;
        signed_url: string;
      };
      double.requests.push(body);
      const data = gzipSync(JSON.stringify(graphFor(body)));
      const upload = await fetch(body.signed_url, {
        method: 'PUT',
        body: data,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      double.lastUploadStatus = upload.status;
      await upload.arrayBuffer();
      if (upload.status !== 200) return answer(200, { error: 'Failed to upload file' });
      return answer(200, { success: `Graph uploaded successfully to url: ${body.signed_url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return double;
}
