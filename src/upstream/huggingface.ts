// Client for a Hugging Face hub (HF_ENDPOINT, default https://huggingface.co; a lab's mirror or
// proxy works too): byte ranges of a file in a model repository, `{endpoint}/{repo}/resolve/main/
// {path}` with `Range`, and HF_TOKEN as a bearer token for gated or private repositories. Reads
// never take more than the bytes asked for, even from a server that ignores Range.
import { InvalidInput, UpstreamFailed, UpstreamTimeout } from '../errors.js';

export interface HubSettings {
  /** Base URL of the hub, without a trailing slash. */
  endpoint: string;
  token: string | undefined;
  timeoutMs: number;
}

export interface HubClient {
  readonly endpoint: string;
  /**
   * `length` bytes of `path` in `repo` from byte `start`. `failure(status)` words the error when
   * the hub refuses: a 4xx is the caller's (a wrong repo or path, a gated repo), a 5xx the hub's.
   */
  readRange(repo: string, path: string, start: number, length: number, failure: (status: number) => string): Promise<Uint8Array>;
}

// One component of a repo id or of a path in it, as upstream: `repo` and `path` come straight from
// the request, and `..` or a `?`/`#` would point the request (with HF_TOKEN) somewhere else.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function encodeHubPath(value: string, label: string): string {
  const segments = value.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment)))
    throw new InvalidInput(`${label} may only contain letters, digits, '.', '_', '-' and '/'`);
  return segments.map(encodeURIComponent).join('/');
}

/** Reads the first `length` bytes of a body and drops the rest unread. */
async function readPrefix(body: ReadableStream<Uint8Array> | null, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  if (!body) return out.subarray(0, 0);
  const reader = body.getReader();
  try {
    while (filled < length) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, length - filled);
      out.set(value.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, filled);
}

export function hubClient(settings: HubSettings, fetchImpl: typeof fetch = fetch): HubClient {
  return {
    endpoint: settings.endpoint,
    async readRange(repo, path, start, length, failure) {
      const url = `${settings.endpoint}/${encodeHubPath(repo, 'repo')}/resolve/main/${encodeHubPath(path, 'path')}`;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          headers: {
            range: `bytes=${start}-${start + length - 1}`,
            ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
          },
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError')
          throw new UpstreamTimeout(`The Hugging Face hub did not answer within ${settings.timeoutMs} ms (HF_TIMEOUT_MS).`);
        throw new UpstreamFailed(`The Hugging Face hub (HF_ENDPOINT ${settings.endpoint}) is unreachable: ${(error as Error).message}`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        const message = failure(response.status);
        throw response.status < 500 ? new InvalidInput(message) : new UpstreamFailed(message, { upstreamStatus: response.status });
      }
      // A 200 to a ranged request is the whole file from byte 0: only usable when that is where we start.
      if (response.status !== 206 && start !== 0) {
        await response.body?.cancel().catch(() => {});
        throw new UpstreamFailed(
          `The Hugging Face hub ignored the byte range (HTTP ${response.status}); HF_ENDPOINT must support Range requests.`,
        );
      }
      const bytes = await readPrefix(response.body, length);
      if (bytes.length < length) throw new UpstreamFailed(`The Hugging Face hub sent ${bytes.length} of ${length} bytes asked for.`);
      return bytes;
    },
  };
}
