// Downloads whole files from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN) as huggingface_hub does:
// a HEAD on `{endpoint}/{repo}/resolve/main/{path}`, not following the redirect, gives the size and
// the checksum (`X-Linked-Etag`/`X-Linked-Size` for LFS files: their sha256; `ETag` for small files
// kept in git: the git blob sha1). The bytes go to `<dest>.part`; a later run resumes it with Range,
// and the file only takes its name once its size and checksum match, so a half file or a corrupted
// one never looks fetched.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidInput, UpstreamFailed } from '../errors.js';
import { encodeHubPath, type HubSettings } from './huggingface.js';

export interface RemoteFile {
  size: number;
  /** sha256 (LFS) or git blob sha1 (small files), lower-case hex; undefined when the hub sent neither. */
  checksum: { kind: 'sha256' | 'git-sha1'; hex: string } | undefined;
}

export interface DownloadOptions {
  onStart?(total: number, have: number): void;
  onProgress?(bytes: number): void;
  fetchImpl?: typeof fetch;
}

const auth = (settings: HubSettings): Record<string, string> => (settings.token ? { authorization: `Bearer ${settings.token}` } : {});
const unquote = (v: string | null) => v?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();

function refused(status: number, repo: string, path: string, endpoint: string): Error {
  if (status === 401 || status === 403)
    return new InvalidInput(`${repo}/${path}: the hub refused access (HTTP ${status}); a gated or private repository needs HF_TOKEN`);
  if (status === 404) return new InvalidInput(`${repo}/${path} is not on the hub at ${endpoint} (HTTP 404)`);
  return new UpstreamFailed(`${repo}/${path}: the hub answered HTTP ${status}`, { upstreamStatus: status });
}

/** Size and checksum of a file on the hub. */
export async function headFile(settings: HubSettings, repo: string, path: string, fetchImpl: typeof fetch = fetch): Promise<RemoteFile> {
  let url = `${settings.endpoint}/${encodeHubPath(repo, 'repo')}/resolve/main/${encodeHubPath(path, 'path')}`;
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetchImpl(url, {
      method: 'HEAD',
      redirect: 'manual',
      headers: auth(settings),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const linked = unquote(res.headers.get('x-linked-etag'));
    const location = res.headers.get('location');
    // A renamed repository answers with a relative redirect to its new resolve URL: follow that one.
    if (res.status >= 300 && res.status < 400 && !linked && location?.startsWith('/')) {
      url = new URL(location, url).href;
      continue;
    }
    if (res.status >= 400) throw refused(res.status, repo, path, settings.endpoint);
    const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'));
    if (!Number.isFinite(size)) throw new UpstreamFailed(`${repo}/${path}: the hub sent no size`);
    const etag = linked ?? unquote(res.headers.get('etag'));
    const checksum =
      etag && /^[0-9a-f]{64}$/.test(etag)
        ? ({ kind: 'sha256', hex: etag } as const)
        : etag && /^[0-9a-f]{40}$/.test(etag)
          ? ({ kind: 'git-sha1', hex: etag } as const)
          : undefined;
    return { size, checksum };
  }
  throw new UpstreamFailed(`${repo}/${path}: too many redirects`);
}

function newHash(remote: RemoteFile): Hash {
  if (remote.checksum?.kind === 'git-sha1') return createHash('sha1').update(`blob ${remote.size}\0`);
  return createHash('sha256');
}

async function hashInto(hash: Hash, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

const sizeOf = (file: string) => statSync(file, { throwIfNoEntry: false })?.size;

/**
 * Fetches `repo/path` to `dest`, resuming `<dest>.part`. Returns false when `dest` was already
 * there with the hub's size (nothing fetched).
 */
export async function downloadFile(
  settings: HubSettings,
  repo: string,
  path: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<boolean> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const remote = await headFile(settings, repo, path, fetchImpl);
  if (sizeOf(dest) === remote.size) return false;
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let have = sizeOf(part) ?? 0;
  if (have > remote.size) {
    rmSync(part);
    have = 0;
  }
  const hash = newHash(remote);
  if (have > 0) await hashInto(hash, part);
  opts.onStart?.(remote.size, have);
  if (have < remote.size) {
    const url = `${settings.endpoint}/${encodeHubPath(repo, 'repo')}/resolve/main/${encodeHubPath(path, 'path')}`;
    const headers = { ...auth(settings), ...(have > 0 ? { range: `bytes=${have}-` } : {}) };
    const res = await fetchImpl(url, { headers });
    if (!res.ok) throw refused(res.status, repo, path, settings.endpoint);
    if (have > 0 && res.status !== 206)
      throw new UpstreamFailed(`${repo}/${path}: the hub ignored the byte range; cannot resume (remove ${part} to start over)`);
    const out = createWriteStream(part, { flags: have > 0 ? 'a' : 'w' });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        opts.onProgress?.(chunk.length);
      }
    } catch (error) {
      throw new UpstreamFailed(`${repo}/${path}: the download was cut (${(error as Error).message}); run the command again to resume`);
    } finally {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
  }
  const got = sizeOf(part) ?? 0;
  if (got !== remote.size) throw new UpstreamFailed(`${repo}/${path}: got ${got} of ${remote.size} bytes; run the command again to resume`);
  const digest = hash.digest('hex');
  if (remote.checksum && digest !== remote.checksum.hex) {
    rmSync(part, { force: true });
    throw new UpstreamFailed(
      `${repo}/${path}: checksum mismatch (${remote.checksum.kind} ${digest}, the hub says ${remote.checksum.hex}); the download was removed`,
    );
  }
  renameSync(part, dest);
  return true;
}
