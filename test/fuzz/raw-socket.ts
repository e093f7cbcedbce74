// One HTTP/1.1 exchange written byte for byte on a socket: `inject`, fetch and undici normalise or
// refuse what a hostile client sends as it is (percent-encodings, absolute-form targets, bytes
// that are not ASCII in headers, malformed chunking).
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function sendRaw(port: number, request: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let failure: Error | undefined;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may reset the connection right after answering a client error: keep the answer.
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => {
      const data = Buffer.concat(chunks);
      if (data.length === 0) reject(failure ?? new Error('connection closed without an answer'));
      else resolve(parseAnswer(data));
    });
    // write, not end: a half-closed socket may be dropped before a slow handler answers.
    socket.write(request);
  });
}

/** A request with `Connection: close`; `target` and header values go on the wire unchanged (latin1). */
export function rawRequest(method: string, target: string, headers: Array<[string, string]> = [], body?: Buffer | string): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: mirror.test', 'Connection: close', ...headers.map(([name, value]) => `${name}: ${value}`)];
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
  if (body !== undefined && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

function parseAnswer(data: Buffer): RawAnswer {
  const end = data.indexOf('\r\n\r\n');
  const head = (end < 0 ? data : data.subarray(0, end)).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
  if (!status) throw new Error(`not an HTTP answer: ${JSON.stringify(data.subarray(0, 200).toString('latin1'))}`);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
