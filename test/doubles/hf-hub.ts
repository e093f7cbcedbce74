// Stand-in for the Hugging Face hub's file downloads: `GET /{repo}/resolve/main/{path}` answers with
// a 302 to a CDN path (as the hub does for LFS files), which serves the bytes with Range support
// (206, Content-Range; 416 past the end). Repos in `gated` need `Authorization: Bearer {token}`
// (401 otherwise, as the hub answers for gated repos). It records every request, and can ignore
// Range (answering the whole file with 200) to test a client that must not read it all.
// As the hub: `.safetensors` files are LFS (the 302 carries X-Linked-Etag = their sha256 and
// X-Linked-Size), other files are served from the resolve URL with ETag = their git blob sha1; HEAD
// works on both. `etags` overrides a file's checksum (a corrupted download), `cutAfter` closes the
// connection after that many body bytes of the next GET (a cut download).
import { createHash } from 'node:crypto';
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
  /** `repo/path` → checksum to announce instead of the real one. */
  etags: Map<string, string>;
  /** Body bytes after which the next GET's connection is destroyed (then reset to undefined). */
  cutAfter: number | undefined;
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
    etags: new Map(),
    cutAfter: undefined,
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
    const key = `${match[1]}/${match[2]}`;
    const lfs = match[2]!.endsWith('.safetensors');
    if (resolve) {
      if (double.gated.has(match[1]!) && req.headers.authorization !== `Bearer ${double.token}`)
        return json(401, { error: 'Access to this model is restricted.' });
      if (lfs) {
        const sha256 = double.etags.get(key) ?? createHash('sha256').update(file).digest('hex');
        return res
          .writeHead(302, { location: `/cdn/${match[1]}/${match[2]}`, 'x-linked-etag': `"${sha256}"`, 'x-linked-size': file.length })
          .end();
      }
    }
    const headers: http.OutgoingHttpHeaders = lfs
      ? {}
      : { etag: `"${double.etags.get(key) ?? createHash('sha1').update(`blob ${file.length}\0`).update(file).digest('hex')}"` };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const send = (status: number, body: Buffer, extra: http.OutgoingHttpHeaders) => {
      res.writeHead(status, { ...headers, ...extra, 'content-length': body.length });
      if (req.method === 'HEAD') return res.end();
      const cut = double.cutAfter;
      if (cut !== undefined && cut < body.length) {
        double.cutAfter = undefined;
        double.bytesSent += cut;
        return res.write(body.subarray(0, cut), () => res.destroy());
      }
      double.bytesSent += body.length;
      res.end(body);
    };
    if (!range || double.ignoreRange) return send(200, file, {});
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.length - 1, file.length - 1);
    if (start >= file.length) return res.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
    send(206, file.subarray(start, end + 1), { 'content-range': `bytes ${start}-${end}/${file.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () => new Promise((resolve) => server.close(() => resolve()));
  return double;
}
