// Graph files in an S3-compatible bucket (AWS S3, a lab's MinIO), signed with SigV4 by `aws4` (no
// dependencies, signs a plain request description; the AWS SDK would add dozens of packages for
// three calls). Bodies stream through undici: an upload is sent with its exact Content-Length and
// `x-amz-content-sha256: UNSIGNED-PAYLOAD`, which S3 and MinIO accept, so it is never buffered to hash.
import type { Readable } from 'node:stream';
import aws4 from 'aws4';
import { request } from 'undici';
import type { BlobStorage } from './index.js';

export interface S3Settings {
  bucket: string;
  /** e.g. http://minio:9000 (path-style requests); unset: AWS, virtual-hosted style. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  timeoutMs: number;
}

/** Each path segment percent-encoded as S3 expects (RFC 3986 unreserved characters stay). */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

export class S3Error extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`S3 answered HTTP ${status}: ${detail.slice(0, 300)}`);
    this.name = 'S3Error';
  }
}

export function s3Storage(settings: S3Settings): BlobStorage {
  const credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
  function signed(method: string, key: string, headers: Record<string, string | number>) {
    let protocol = 'https:';
    let host = `${settings.bucket}.s3.${settings.region}.amazonaws.com`;
    let path = `/${encodeKey(key)}`;
    if (settings.endpoint) {
      const base = new URL(settings.endpoint);
      protocol = base.protocol;
      host = base.host;
      path = `${base.pathname.replace(/\/+$/, '')}/${settings.bucket}/${encodeKey(key)}`;
    }
    const options = aws4.sign({ host, path, method, service: 's3', region: settings.region, headers }, credentials);
    return { url: `${protocol}//${host}${path}`, headers: options.headers as Record<string, string> };
  }
  async function send(method: 'PUT' | 'GET' | 'DELETE', key: string, headers: Record<string, string | number>, body?: Readable) {
    const { url, headers: signedHeaders } = signed(method, key, headers);
    return request(url, {
      method,
      headers: signedHeaders,
      body,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  }
  async function fail(response: Awaited<ReturnType<typeof request>>): Promise<never> {
    throw new S3Error(response.statusCode, await response.body.text().catch(() => ''));
  }
  return {
    async put(key, body, options) {
      const headers: Record<string, string | number> = {
        'content-length': options.contentLength,
        'content-type': options.contentType,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      };
      if (options.contentEncoding) headers['content-encoding'] = options.contentEncoding;
      const response = await send('PUT', key, headers, body);
      if (response.statusCode !== 200) return fail(response);
      await response.body.dump();
    },
    async get(key) {
      const response = await send('GET', key, {});
      if (response.statusCode === 404) {
        await response.body.dump();
        return undefined;
      }
      if (response.statusCode !== 200) return fail(response);
      return response.body;
    },
    async delete(key) {
      const response = await send('DELETE', key, {});
      if (response.statusCode !== 204 && response.statusCode !== 200 && response.statusCode !== 404) return fail(response);
      await response.body.dump();
    },
  };
}
