// GETs export files and listings over HTTP(S) for the importer, safely enough to let an admin (or
// a hostile URL an admin was handed) point the server at any address: connect and idle timeouts,
// cancellation, redirects followed by hand (each hop checked), and an address policy that refuses
// private, loopback, link-local and other non-public addresses unless allowed. The policy is
// checked on every address a name resolves to (in the socket's lookup, so nothing connects first)
// and on literal IP hosts (which never go through a lookup). Errors name the URL and the cause.
import dns from 'node:dns';
import net from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { ImportNetworkSettings } from '../config.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface ExportNetworkOptions extends Partial<ImportNetworkSettings> {
  /** Resolves a host name to its addresses (default: the system resolver, as `dns.lookup`). */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Exact addresses allowed whatever the policy says (e.g. one trusted host, or a test's loopback stand-in). */
  allowAddresses?: string[];
}

export interface ExportRequestOptions {
  network?: ExportNetworkOptions;
  signal?: AbortSignal;
}

export interface ExportResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  body: Readable;
}

export const DEFAULT_NETWORK: ImportNetworkSettings = { allowPrivateAddresses: false, connectTimeoutMs: 10_000, idleTimeoutMs: 60_000 };
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A failed request to an export host; the message names the request and the cause. */
export class ExportFetchError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ExportFetchError';
  }
}

/** Thrown by the lookup (and for literal IPs) when an address is outside the policy. */
class AddressRefused extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(
    readonly address: string,
    readonly kind: string,
  ) {
    super(`${address} is a ${kind} address`);
  }
}

// Ranges that are never the public internet. `private` ones are what a lab's own object store may
// sit on, and IMPORT_ALLOW_PRIVATE_ADDRESSES lets all of them through.
const RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['::', 96, 'ipv6', 'reserved (IPv4-compatible)'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'private (unique local)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'private (site-local)'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
const BLOCKS = RANGES.map(([network, prefix, type, kind]) => {
  const list = new net.BlockList();
  list.addSubnet(network, prefix, type);
  return { list, type, kind };
});

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else undefined. */
function embeddedIPv4(address: string): string | undefined {
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const groups = expandIPv6(address);
  if (!groups) return undefined;
  const fromGroups = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const isZero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (isZero(0, 5) && groups[5] === 0xffff) return fromGroups(groups[6]!, groups[7]!); // ::ffff:a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && isZero(2, 6)) return fromGroups(groups[6]!, groups[7]!); // NAT64
  if (groups[0] === 0x2002) return fromGroups(groups[1]!, groups[2]!); // 6to4
  return undefined;
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}

/** Why `address` is not a public internet address (e.g. 'loopback'), or undefined when it is. */
export function nonPublicKind(address: string): string | undefined {
  const type = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!type) return 'unparseable';
  if (type === 'ipv6') {
    const inner = embeddedIPv4(address);
    if (inner) return nonPublicKind(inner);
  }
  return BLOCKS.find((b) => b.type === type && b.list.check(address, type))?.kind;
}

function checkAddress(address: string, network: ExportNetworkOptions): void {
  if (network.allowPrivateAddresses || network.allowAddresses?.includes(address)) return;
  const kind = nonPublicKind(address);
  if (kind) throw new AddressRefused(address, kind);
}

const systemLookup = (hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A `net.connect` lookup that resolves with the injected resolver and refuses the whole name if any address is outside the policy. */
function guardedLookup(network: ExportNetworkOptions): net.LookupFunction {
  const resolve = network.lookup ?? systemLookup;
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (wanted.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND', hostname });
        // A name with one private address among public ones is refused too: the socket may pick any of them.
        for (const a of wanted) checkAddress(a.address, network);
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}

// One agent (connection pool) per settings object: the server and the CLI pass the same config
// object on every call, so connections are reused; a dropped settings object frees its agent.
const agents = new WeakMap<ExportNetworkOptions, Dispatcher>();
function agentFor(network: ExportNetworkOptions): Dispatcher {
  let agent = agents.get(network);
  if (!agent) {
    const settings = { ...DEFAULT_NETWORK, ...withoutUndefined(network) };
    agent = new Agent({
      connect: { timeout: settings.connectTimeoutMs, lookup: guardedLookup(network) },
      headersTimeout: settings.idleTimeoutMs,
      bodyTimeout: settings.idleTimeoutMs,
    });
    agents.set(network, agent);
  }
  return agent;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The URL as shown in messages: no credentials, no query (presigned URLs carry secrets there). */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** A plain-words cause for a failed request, with the code (and address) that names it exactly. */
function describeCause(error: unknown, network: ExportNetworkOptions): { cause: string; code: string } {
  const settings = { ...DEFAULT_NETWORK, ...withoutUndefined(network) };
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string; name?: string };
  // A DOMException (an abort) has a numeric code; its name says what it is.
  const code = typeof e?.code === 'string' ? e.code : (e?.name ?? 'UNKNOWN');
  const where = e?.address ? ` ${e.address}${e.port ? `:${e.port}` : ''}` : e?.hostname ? ` ${e.hostname}` : '';
  if (error instanceof AddressRefused) {
    return {
      cause: `${error.message}, refused (set IMPORT_ALLOW_PRIVATE_ADDRESSES=true to import from your own network)`,
      code: error.code,
    };
  }
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EPIPE: 'connection closed by the server',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_CONNECT_TIMEOUT: `no connection within ${settings.connectTimeoutMs} ms (IMPORT_CONNECT_TIMEOUT_MS)`,
    UND_ERR_HEADERS_TIMEOUT: `no answer within ${settings.idleTimeoutMs} ms (IMPORT_IDLE_TIMEOUT_MS)`,
    UND_ERR_BODY_TIMEOUT: `the answer stalled for ${settings.idleTimeoutMs} ms (IMPORT_IDLE_TIMEOUT_MS)`,
    UND_ERR_ABORTED: 'cancelled',
    AbortError: 'cancelled',
  };
  const cause = words[code] ?? e?.message ?? String(error);
  return { cause: `${cause} (${code}${where})`, code };
}

function failure(url: URL, error: unknown, network: ExportNetworkOptions): ExportFetchError {
  if (error instanceof ExportFetchError) return error;
  const { cause, code } = describeCause(error, network);
  return new ExportFetchError(`GET ${shown(url)} failed: ${cause}`, code);
}

/**
 * GETs `location`, following up to 5 redirects, each checked against the address policy. Resolves
 * once the headers of a 2xx answer arrived; its body errors with an ExportFetchError if it stalls
 * longer than the idle timeout or the signal aborts. Non-2xx answers reject.
 */
export async function getExport(location: string | URL, options: ExportRequestOptions = {}): Promise<ExportResponse> {
  const network = options.network ?? DEFAULT_NETWORK;
  const dispatcher = agentFor(network);
  let url = new URL(location); // callers pass URLs they built or checked (see listHttp)
  for (let hop = 0; ; hop++) {
    let response: Dispatcher.ResponseData;
    try {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ExportFetchError(`GET ${shown(url)} refused: only http and https URLs can be imported`, 'EPROTOCOL');
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(literal)) checkAddress(literal, network); // no lookup happens for literal IPs
      options.signal?.throwIfAborted();
      response = await request(url, { method: 'GET', dispatcher, signal: options.signal });
    } catch (error) {
      throw failure(url, error, network);
    }
    const { statusCode, headers, body } = response;
    if (REDIRECT_STATUSES.has(statusCode)) {
      discard(body);
      const target = headers.location;
      if (typeof target !== 'string')
        throw new ExportFetchError(`GET ${shown(url)} answered HTTP ${statusCode} without a Location`, 'EREDIRECT', statusCode);
      if (hop >= MAX_REDIRECTS)
        throw new ExportFetchError(`GET ${shown(url)} failed: more than ${MAX_REDIRECTS} redirects`, 'EREDIRECT', statusCode);
      const next = URL.parse(target, url.href);
      if (!next) throw new ExportFetchError(`GET ${shown(url)} redirected to an invalid URL`, 'EREDIRECT', statusCode);
      url = next;
      continue;
    }
    if (statusCode < 200 || statusCode > 299) {
      discard(body);
      throw new ExportFetchError(`GET ${shown(url)} answered HTTP ${statusCode}`, `HTTP_${statusCode}`, statusCode);
    }
    const answered = url;
    return { status: statusCode, url: answered.toString(), body: withDescribedErrors(body, answered, network) };
  }
}

/** Drops a body we will not read (a redirect's, an error page); undici reports that as an abort, which is expected here. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** The body, whose errors (idle timeout, reset, cancel) name the URL and cause like the request's do. */
function withDescribedErrors(body: Readable, url: URL, network: ExportNetworkOptions): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  body.on('error', (error) => out.destroy(failure(url, error, network)));
  // A reader that stops early (cancel, a bad file) must close the connection, not leave it to drip.
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}

/** GETs a whole (small) answer as text, e.g. an S3 listing page. */
export async function getExportText(location: string | URL, options: ExportRequestOptions = {}): Promise<string> {
  const response = await getExport(location, options);
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
