// The importer's network side: the address policy (after DNS, on literal IPs, on every redirect),
// timeouts, cancellation, and errors that name the host and cause; and a folder walk that leaves
// the event loop free. Only loopback is ever connected to: other addresses come from an injected
// resolver, and the policy must refuse them before any socket opens.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExport, getExportText, nonPublicKind, type ExportNetworkOptions, type ResolvedAddress } from '../../src/ingest/export-http.js';
import { listHttp, listLocal } from '../../src/ingest/layout.js';
import { startS3Double, type S3Double } from '../doubles/s3-server.js';

let s3: S3Double;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-network-'));
beforeAll(async () => {
  fs.mkdirSync(path.join(root, 'v1', 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'v1', 'config', 'eval_type.jsonl'), '{"name":"x"}\n');
  s3 = await startS3Double(root);
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A resolver from a fixed table, recording every name it was asked for. */
function resolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked };
}

const FILE = 'v1/config/eval_type.jsonl';
const requestsFor = (key: string) => s3.requests.filter((r) => r === `/bucket/${key}`).length;

describe('address policy', () => {
  it('classifies non-public addresses, IPv4-mapped and NAT64 IPv6 included', () => {
    const cases: Record<string, string | undefined> = {
      '10.0.0.1': 'private',
      '172.31.255.255': 'private',
      '192.168.1.1': 'private',
      '127.0.0.1': 'loopback',
      '127.255.0.9': 'loopback',
      '169.254.169.254': 'link-local',
      '100.64.0.1': 'shared (CGNAT)',
      '0.0.0.0': 'unspecified',
      '224.0.0.1': 'multicast',
      '255.255.255.255': 'reserved',
      '::1': 'loopback',
      '::': 'unspecified',
      'fe80::1': 'link-local',
      'fd12:3456::1': 'private (unique local)',
      'ff02::1': 'multicast',
      '::ffff:10.0.0.1': 'private',
      '::ffff:7f00:1': 'loopback',
      '::ffff:169.254.169.254': 'link-local',
      '64:ff9b::a9fe:a9fe': 'link-local',
      '2002:a00:1::1': 'private',
      '8.8.8.8': undefined,
      '1.1.1.1': undefined,
      '172.32.0.1': undefined,
      '2606:4700:4700::1111': undefined,
      '::ffff:8.8.8.8': undefined,
    };
    for (const [address, kind] of Object.entries(cases)) expect(nonPublicKind(address), address).toBe(kind);
  });

  it('refuses a public name that resolves to a private or metadata address, before any connection', async () => {
    for (const address of ['10.0.0.1', '169.254.169.254', 'fd00::1', '::ffff:127.0.0.1']) {
      const { lookup, asked } = resolver({ 'bucket.example.com': ['93.184.216.34', address] });
      const before = s3.requests.length;
      await expect(getExport(`http://bucket.example.com:${s3.port}/bucket/${FILE}`, { network: { lookup } })).rejects.toThrow(
        new RegExp(
          `^GET http://bucket\\.example\\.com:${s3.port}/bucket/v1/config/eval_type\\.jsonl failed: ${address.replace(/[.:]/g, '\\$&')} is a .+ address, refused`,
        ),
      );
      expect(asked).toEqual(['bucket.example.com']);
      expect(s3.requests.length).toBe(before);
    }
  });

  it('refuses literal private IPs, in every spelling, without a lookup or a connection', async () => {
    const { lookup, asked } = resolver({});
    const before = requestsFor(FILE);
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '10.1.2.3']) {
      const error = await getExport(`http://${host}:${s3.port}/bucket/${FILE}`, { network: { lookup, connectTimeoutMs: 200 } }).catch(
        (e: Error) => e,
      );
      expect(error, host).toBeInstanceOf(Error);
      expect((error as Error).message, host).toMatch(
        /is a (loopback|link-local|private) address, refused \(set IMPORT_ALLOW_PRIVATE_ADDRESSES=true/,
      );
    }
    expect(asked).toEqual([]);
    expect(requestsFor(FILE)).toBe(before);
  });

  it("lets loopback through when private addresses are allowed (a lab's own object store)", async () => {
    const { lookup } = resolver({ 'minio.lab': ['127.0.0.1'] });
    const network: ExportNetworkOptions = { allowPrivateAddresses: true, lookup };
    expect(await getExportText(`http://minio.lab:${s3.port}/bucket/${FILE}`, { network })).toBe('{"name":"x"}\n');
    expect(await getExportText(`${s3.url}/${FILE}`, { network })).toBe('{"name":"x"}\n');
  });

  it('checks every redirect: a redirect to a private or metadata address is refused even from an allowed host', async () => {
    // public.test stands for a public bucket (its loopback address is allowed explicitly); internal.test resolves to 10.0.0.1.
    const { lookup, asked } = resolver({ 'public.test': ['127.0.0.1'], 'internal.test': ['10.0.0.1'] });
    const network: ExportNetworkOptions = { lookup, allowAddresses: ['127.0.0.1'] };
    const at = (key: string) => `http://public.test:${s3.port}/bucket/${key}`;
    s3.behave.set('v1/hop-internal', { redirect: `http://internal.test:${s3.port}/bucket/${FILE}` });
    s3.behave.set('v1/hop-metadata', { redirect: 'http://169.254.169.254/latest/meta-data/' });
    s3.behave.set('v1/hop-file', { redirect: 'file:///etc/passwd' });
    s3.behave.set('v1/hop-ok', { redirect: `/bucket/${FILE}` });
    s3.behave.set('v1/loop', { redirect: '/bucket/v1/loop' });
    await expect(getExport(at('v1/hop-internal'), { network })).rejects.toThrow(
      `GET http://internal.test:${s3.port}/bucket/${FILE} failed: 10.0.0.1 is a private address, refused`,
    );
    expect(asked).toContain('internal.test');
    await expect(getExport(at('v1/hop-metadata'), { network })).rejects.toThrow(
      'GET http://169.254.169.254/latest/meta-data/ failed: 169.254.169.254 is a link-local address, refused',
    );
    await expect(getExport(at('v1/hop-file'), { network })).rejects.toThrow('only http and https URLs can be imported');
    await expect(getExport(at('v1/loop'), { network })).rejects.toThrow('more than 5 redirects');
    // A redirect that stays within the policy is followed.
    expect(await getExportText(at('v1/hop-ok'), { network })).toBe('{"name":"x"}\n');
  });
});

describe('timeouts, cancellation and errors', () => {
  const loopback: ExportNetworkOptions = { allowPrivateAddresses: true, connectTimeoutMs: 300, idleTimeoutMs: 300 };

  it('gives up on a host that accepts the connection and never answers', async () => {
    s3.behave.set('v1/hang', 'hang');
    const started = performance.now();
    await expect(getExport(`${s3.url}/v1/hang`, { network: loopback })).rejects.toThrow(
      `GET ${s3.url}/v1/hang failed: no answer within 300 ms (IMPORT_IDLE_TIMEOUT_MS) (UND_ERR_HEADERS_TIMEOUT)`,
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('gives up on an answer that stalls, and on a connection that never completes', async () => {
    s3.behave.set('v1/stall', 'stall');
    const response = await getExport(`${s3.url}/v1/stall`, { network: loopback });
    await expect(async () => {
      for await (const chunk of response.body) void chunk;
    }).rejects.toThrow(`GET ${s3.url}/v1/stall failed: the answer stalled for 300 ms (IMPORT_IDLE_TIMEOUT_MS) (UND_ERR_BODY_TIMEOUT)`);
    // A resolver that never answers stands in for a connection that never completes.
    const lookup = () => new Promise<ResolvedAddress[]>(() => {});
    await expect(getExport(`http://slow.test:${s3.port}/bucket/${FILE}`, { network: { ...loopback, lookup } })).rejects.toThrow(
      /^GET http:\/\/slow\.test:\d+\/bucket\/v1\/config\/eval_type\.jsonl failed: no connection within 300 ms \(IMPORT_CONNECT_TIMEOUT_MS\)/,
    );
  });

  it('names the host and the cause when nothing listens, or the name does not resolve', async () => {
    await expect(getExport('http://127.0.0.1:1/bucket/v1/', { network: loopback })).rejects.toThrow(
      'GET http://127.0.0.1:1/bucket/v1/ failed: connection refused (ECONNREFUSED 127.0.0.1:1)',
    );
    const { lookup } = resolver({});
    await expect(getExport('https://no-such-bucket.test/v1/', { network: { lookup } })).rejects.toThrow(
      'GET https://no-such-bucket.test/v1/ failed: host not found (ENOTFOUND no-such-bucket.test)',
    );
    await expect(getExport(`${s3.url}/v1/missing`, { network: loopback })).rejects.toThrow(`GET ${s3.url}/v1/missing answered HTTP 404`);
    await expect(listHttp('http://:80/v1/')).rejects.toThrow('http://:80/v1/ is not a valid URL');
  });

  it('cancels a download in progress when its signal aborts, closing the connection', async () => {
    s3.behave.set('v1/endless', 'endless');
    const cancel = new AbortController();
    const response = await getExport(`${s3.url}/v1/endless`, { network: loopback, signal: cancel.signal });
    const reading = (async () => {
      for await (const chunk of response.body) void chunk;
    })();
    cancel.abort();
    await expect(reading).rejects.toThrow(/^GET .*\/v1\/endless failed: cancelled/);
    await s3.waitAbandoned('v1/endless');
    expect(s3.abandoned).toContain('v1/endless');
  });
});

describe('local folder walk', () => {
  it('leaves the event loop free while it walks thousands of files', async () => {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'np-walk-'));
    try {
      const empty = path.join(big, 'empty');
      fs.writeFileSync(empty, '');
      for (const source of ['0-res', '1-res']) {
        const dir = path.join(big, 'v1', 'gpt2-small', source, 'features');
        fs.mkdirSync(dir, { recursive: true });
        // Hard links: one system call per file keeps the setup cheap.
        for (let i = 0; i < 1500; i++) fs.linkSync(empty, path.join(dir, `batch-${i}.jsonl`));
      }
      let ticks = 0;
      let last = performance.now();
      let longestGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks++;
      }, 1);
      const walking = listLocal(big);
      last = performance.now();
      const objects = await walking;
      clearInterval(timer);
      expect(objects).toHaveLength(3000);
      // A synchronous walk lets no timer run until it is done; this one lets them run all along.
      expect(ticks).toBeGreaterThan(5);
      expect(longestGap).toBeLessThan(250);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});

describe('npm run import over HTTP', () => {
  /** Runs the CLI in a child process, as a user would; resolves with its exit code and output. */
  async function runImport(args: string[], env: Record<string, string>) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-network-cli-'));
    try {
      const command = ['--import', 'tsx', 'scripts/import.ts', ...args, '--rejects', path.join(dataDir, 'rejects.jsonl')];
      const { stdout, stderr } = await promisify(execFile)(process.execPath, command, {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, ...env },
      });
      return { status: 0, stdout, stderr, reportLeft: fs.existsSync(path.join(dataDir, 'rejects.jsonl')) };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { status: e.code, stdout: e.stdout, stderr: e.stderr, reportLeft: fs.existsSync(path.join(dataDir, 'rejects.jsonl')) };
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('prints one line naming the host and the cause, no stack, exit code 1', async () => {
    const [unreachable, refused] = await Promise.all([
      runImport(['http://127.0.0.1:1/v1/'], { IMPORT_ALLOW_PRIVATE_ADDRESSES: 'true' }),
      runImport([`${s3.url}/v1/`], {}),
    ]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.reportLeft).toBe(false); // no empty reject report left behind
    expect(unreachable.stderr.trim().split('\n')).toEqual([
      'GET http://127.0.0.1:1/ failed: connection refused (ECONNREFUSED 127.0.0.1:1)',
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `GET ${s3.url}/ failed: 127.0.0.1 is a loopback address, refused (set IMPORT_ALLOW_PRIVATE_ADDRESSES=true to import from your own network)`,
    ]);
  }, 120_000); // each child opens an embedded database: seconds, more on a busy machine
});
