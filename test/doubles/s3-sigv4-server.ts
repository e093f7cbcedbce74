// Stand-in for an S3-compatible bucket that checks AWS Signature Version 4 as S3 (and MinIO) do,
// computed here from the request as received, independently of the client's signing library: the
// canonical request (method, URI, sorted query, the signed headers, payload hash), the string to
// sign with the credential scope, the derived key, and the clock skew (15 minutes). PUT stores the
// body (with its Content-Encoding), GET returns it, DELETE removes it (204). Refusals answer S3's
// XML error codes. Objects live in memory: tests keep them small.
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

export interface SigV4S3Double {
  /** The endpoint (path-style): http://127.0.0.1:PORT */
  endpoint: string;
  bucket: string;
  objects: Map<string, StoredObject>;
  /** Every request as `METHOD /path -> status`. */
  log: string[];
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function xmlError(res: http.ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** The signature S3 expects for this request, or an error code explaining why it cannot be checked. */
function expectedSignature(
  req: http.IncomingMessage,
  url: URL,
  secret: string,
  accessKeyId: string,
  region: string,
): { signature: string; given: string } | { error: string } {
  const auth = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return { error: 'AccessDenied' };
  const [, keyId, date, scopeRegion, signedHeaders, given] = match as unknown as string[];
  if (keyId !== accessKeyId) return { error: 'InvalidAccessKeyId' };
  if (scopeRegion !== region) return { error: 'AuthorizationHeaderMalformed' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { error: 'AccessDenied' };
  const when = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(Date.now() - when) > 15 * 60 * 1000) return { error: 'RequestTimeTooSkewed' };
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string') return { error: 'InvalidRequest' };
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-content-sha256')) return { error: 'AccessDenied' };
  const canonicalHeaders = names
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalUri = url.pathname
    .split('/')
    .map((part) => encode(decodeURIComponent(part)))
    .join('/');
  const canonical = [req.method, canonicalUri, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region), 's3'), 'aws4_request');
  return { signature: createHmac('sha256', key).update(toSign).digest('hex'), given: given! };
}

export async function startSigV4S3Double(options: {
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}): Promise<SigV4S3Double> {
  const objects = new Map<string, StoredObject>();
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    res.on('finish', () => log.push(`${req.method} ${url.pathname} -> ${res.statusCode}`));
    const check = expectedSignature(req, url, options.secretAccessKey, options.accessKeyId, options.region);
    if ('error' in check) return xmlError(res, 403, check.error, 'Refused');
    if (check.signature !== check.given)
      return xmlError(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    const prefix = `/${options.bucket}/`;
    if (!url.pathname.startsWith(prefix)) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = decodeURIComponent(url.pathname.slice(prefix.length));
    if (req.method === 'PUT') {
      if (req.headers['content-length'] === undefined)
        return xmlError(res, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const declared = req.headers['x-amz-content-sha256'];
        if (declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256(body))
          return xmlError(
            res,
            400,
            'XAmzContentSHA256Mismatch',
            'The provided x-amz-content-sha256 header does not match what was computed.',
          );
        const contentEncoding = req.headers['content-encoding'];
        objects.set(key, { body, contentType: req.headers['content-type'], contentEncoding });
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
      });
      return;
    }
    if (req.method === 'GET') {
      const object = objects.get(key);
      if (!object) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      const headers: Record<string, string | number> = { 'content-length': object.body.length };
      if (object.contentType) headers['content-type'] = object.contentType;
      if (object.contentEncoding) headers['content-encoding'] = object.contentEncoding;
      res.writeHead(200, headers).end(object.body);
      return;
    }
    if (req.method === 'DELETE') {
      objects.delete(key);
      res.writeHead(204).end();
      return;
    }
    xmlError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: options.bucket,
    objects,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
