// Stand-in for the Hugging Face hub's file downloads: `GET /{repo}/resolve/main/{path}` answers with
// a 302 to a CDN path (as the hub does for LFS files), which serves the bytes with Range support
// (206, Content-Range; 416 past the end). Repos in `gated` need `Authorization: Bearer {token}`
// (401 otherwise, as the hub answers for gated repos). It records every request, and can ignore
// Range (answering the whole file with 200) to test a client that must not read it all.
import http from 'node:http';

export interface HubRequest {
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface HubDouble {
  url: string;
  files: Map<string, Buffer>;
  gated: Set<string>;
  token: string;
  requests: HubRequest[];
  ignoreRange: boolean;
  /** Bytes of the file bodies sent, to show what a read cost. */
  bytesSent: number;
  close(): Promise<void>;
}

/** A safetensors file: 8-byte little-endian header length, the JSON header, then the tensors' bytes. */
export function safetensors(tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, ...Object.values(tensors).map((t) => t.data)]);
}

export async function startHubDouble(): Promise<HubDouble> {
  const double: HubDouble = {
    url: '',
    files: new Map(),
    gated: new Set(),
    token: 'hf_test_token',
    requests: [],
    ignoreRange: false,
    bytesSent: 0,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    double.requests.push({ url, range: req.headers.range, authorization: req.headers.authorization });
    const resolve = /^\/(.+?\/.+?)\/resolve\/main\/(.+)$/.exec(url);
    const cdn = /^\/cdn\/(.+?\/.+?)\/(.+)$/.exec(url);
    const match = resolve ?? cdn;
    const file = match ? double.files.get(`${match[1]}/${match[2]}`) : undefined;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!match || !file) return json(404, { error: 'Entry not found' });
    if (resolve) {
      if (double.gated.has(match[1]!) && req.headers.authorization !== `Bearer ${double.token}`)
        return json(401, { error: 'Access to this model is restricted.' });
      return res.writeHead(302, { location: `/cdn/${match[1]}/${match[2]}` }).end();
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!range || double.ignoreRange) {
      double.bytesSent += file.length;
      return res.writeHead(200, { 'content-length': file.length }).end(file);
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), file.length - 1);
    if (start >= file.length) return res.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
    const part = file.subarray(start, end + 1);
    double.bytesSent += part.length;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.length}`, 'content-length': part.length }).end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () => new Promise((resolve) => server.close(() => resolve()));
  return double;
}
