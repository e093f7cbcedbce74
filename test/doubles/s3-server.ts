// Stand-in for an S3 bucket holding a v1 export, on loopback: ListObjectsV2 listings of a local
// folder and GETs of its files, plus the faults the importer must survive, set per key: a host
// that accepts the connection and never answers, a body that starts and then stalls or drips
// forever, a redirect. It records every request and notices when a client hangs up on an unfinished answer.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** `list` stands for every ListObjectsV2 request; other keys are object keys (`v1/...`). */
export type Behaviour = 'hang' | 'stall' | 'endless' | { redirect: string };

export interface S3Double {
  /** The bucket's URL, e.g. http://127.0.0.1:PORT/bucket (add `/v1/...`). */
  url: string;
  port: number;
  requests: string[];
  behave: Map<string, Behaviour>;
  /** Keys (or `list`) whose answers a client closed before they were finished. */
  abandoned: string[];
  /** Resolves once an unfinished answer for this key has been abandoned by its client. */
  waitAbandoned(key: string): Promise<void>;
  /** Resolves once a request for this key (or `list`) has arrived. */
  waitRequest(key: string): Promise<void>;
  close(): Promise<void>;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : files.push(path.relative(root, path.join(dir, e.name)))));
  if (fs.existsSync(root)) walk(root);
  return files.sort();
}

/** Serves `root` (the folder that holds `v1/`). Extra keys can be listed with `extra` (name → size), e.g. for endless files. */
export async function startS3Double(root: string, extra: Record<string, number> = {}): Promise<S3Double> {
  const waiters: Array<{ key: string; resolve: () => void }> = [];
  const abandonWaiters: Array<{ key: string; resolve: () => void }> = [];
  const double: S3Double = {
    url: '',
    port: 0,
    requests: [],
    behave: new Map(),
    abandoned: [],
    waitAbandoned: (key) =>
      double.abandoned.includes(key) ? Promise.resolve() : new Promise((resolve) => abandonWaiters.push({ key, resolve })),
    waitRequest: (key) => (seen.has(key) ? Promise.resolve() : new Promise((resolve) => waiters.push({ key, resolve }))),
    close: async () => {},
  };
  const seen = new Set<string>();
  const arrived = (key: string) => {
    seen.add(key);
    for (const w of waiters.filter((w) => w.key === key)) w.resolve();
  };
  const watchAbandon = (key: string, res: http.ServerResponse) =>
    res.on('close', () => {
      if (res.writableFinished) return;
      double.abandoned.push(key);
      for (const w of abandonWaiters.filter((w) => w.key === key)) w.resolve();
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    double.requests.push(url.pathname + url.search);
    const isList = url.searchParams.get('list-type') === '2';
    const key = isList ? 'list' : decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''));
    const behaviour = double.behave.get(key);
    arrived(key);
    if (behaviour === 'hang') return watchAbandon(key, res);
    if (behaviour === 'stall') {
      // Headers and a first line, then silence, never an end.
      watchAbandon(key, res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('\n');
      return;
    }
    if (behaviour === 'endless') {
      // Headers and a first line at once, then a blank line every 50 ms, never an end.
      watchAbandon(key, res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('\n');
      const timer = setInterval(() => res.write('\n'), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (behaviour && typeof behaviour === 'object') {
      res.writeHead(302, { location: behaviour.redirect }).end();
      return;
    }
    if (isList) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const sizes = new Map<string, number>(listFiles(root).map((f) => [f, fs.statSync(path.join(root, f)).size]));
      for (const [name, size] of Object.entries(extra)) sizes.set(name, size);
      const matching = [...sizes.keys()].filter((f) => f.startsWith(prefix)).sort();
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><IsTruncated>false</IsTruncated>' +
          matching
            .map(
              (k) =>
                `<Contents><Key>${escapeXml(k)}</Key><Size>${sizes.get(k)}</Size><ETag>"etag-${escapeXml(k)}"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>`,
            )
            .join('') +
          '</ListBucketResult>',
      );
      return;
    }
    const file = path.join(root, key);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.port = (server.address() as { port: number }).port;
  double.url = `http://127.0.0.1:${double.port}/bucket`;
  double.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return double;
}
