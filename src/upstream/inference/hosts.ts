// Which inference servers serve which model (and, optionally, which source set), from
// INFERENCE_HOSTS and INFERENCE_HOSTS_FILE. Several hosts for one target are used in turn; a host
// that just failed goes to the back of the line for a while, so one dead server does not cost
// every other request a timeout.

export interface InferenceHost {
  url: string;
  /** Sent as X-SECRET-KEY (the inference server's SECRET). */
  secret: string | undefined;
  timeoutMs: number;
}

export interface InferenceHostRule {
  /** Our model id, or `*` for any model. */
  modelId: string;
  /** Source set name; undefined: every source set of the model (and vectors, which need none). */
  sourceSet: string | undefined;
  hosts: InferenceHost[];
}

export class InferenceHostsError extends Error {}

const FAILED_HOST_COOLDOWN_MS = 30_000;

/** The host URL that names the mirror's own engine (src/engine), started in this process. */
export const BUILTIN_HOST = 'builtin';

function parseUrl(raw: string, where: string): string {
  if (raw === BUILTIN_HOST) return raw;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new InferenceHostsError(`${where}: "${raw}" is not an http:// or https:// URL, nor "builtin"`);
  }
}

function parseTarget(key: string, where: string): { modelId: string; sourceSet: string | undefined } {
  const [modelId, sourceSet, extra] = key.split('/').map((s) => s.trim());
  if (!modelId || extra !== undefined || sourceSet === '')
    throw new InferenceHostsError(`${where}: "${key}" should be <model>, <model>/<source set> or *`);
  return { modelId, sourceSet };
}

/**
 * INFERENCE_HOSTS: `<model>[/<source set>]=<url>[,<url>…]` entries separated by `;` or
 * whitespace, `*` for any model, e.g. `gpt2-small=http://gpu1:5002,http://gpu2:5002; *=http://gpu3:5002`.
 */
export function parseHostsSpec(spec: string, defaults: Omit<InferenceHost, 'url'>): InferenceHostRule[] {
  return spec
    .split(/[;\s]+/)
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      if (at < 1) throw new InferenceHostsError(`INFERENCE_HOSTS: "${entry}" should be <model>[/<source set>]=<url>[,<url>…]`);
      const urls = entry
        .slice(at + 1)
        .split(',')
        .filter(Boolean);
      if (urls.length === 0) throw new InferenceHostsError(`INFERENCE_HOSTS: "${entry}" names no URL`);
      return {
        ...parseTarget(entry.slice(0, at), 'INFERENCE_HOSTS'),
        hosts: urls.map((u) => ({ ...defaults, url: parseUrl(u, 'INFERENCE_HOSTS') })),
      };
    });
}

/**
 * INFERENCE_HOSTS_FILE: a JSON array of `{"model": "gpt2-small", "sourceSet"?: "res-jb",
 * "urls": ["http://gpu1:5002"], "secret"?: "…", "timeoutMs"?: 120000}`; secret and timeout
 * default to INFERENCE_SECRET and INFERENCE_TIMEOUT_MS.
 */
export function parseHostsFile(text: string, defaults: Omit<InferenceHost, 'url'>, name = 'INFERENCE_HOSTS_FILE'): InferenceHostRule[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new InferenceHostsError(`${name}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(entries))
    throw new InferenceHostsError(`${name}: should be a JSON array of {model, sourceSet?, urls, secret?, timeoutMs?}`);
  return entries.map((entry: Record<string, unknown>, i) => {
    const where = `${name} entry ${i}`;
    if (typeof entry !== 'object' || entry === null || typeof entry.model !== 'string')
      throw new InferenceHostsError(`${where}: "model" must be a string`);
    if (entry.sourceSet !== undefined && typeof entry.sourceSet !== 'string')
      throw new InferenceHostsError(`${where}: "sourceSet" must be a string`);
    if (!Array.isArray(entry.urls) || entry.urls.length === 0 || !entry.urls.every((u) => typeof u === 'string'))
      throw new InferenceHostsError(`${where}: "urls" must be a non-empty array of URLs`);
    if (entry.secret !== undefined && typeof entry.secret !== 'string')
      throw new InferenceHostsError(`${where}: "secret" must be a string`);
    const timeoutMs = entry.timeoutMs ?? defaults.timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100)
      throw new InferenceHostsError(`${where}: "timeoutMs" must be a whole number of milliseconds (at least 100)`);
    const target = parseTarget(entry.sourceSet ? `${entry.model}/${entry.sourceSet}` : entry.model, where);
    const secret = (entry.secret as string | undefined) ?? defaults.secret;
    return { ...target, hosts: (entry.urls as string[]).map((u) => ({ url: parseUrl(u, where), secret, timeoutMs })) };
  });
}

export interface InferenceTarget {
  modelId: string;
  /** The source set the request needs loaded; undefined when any server of the model will do. */
  sourceSet?: string | undefined;
}

/** Picks hosts for a request: the most specific rule that matches, rotated, recently failed last. */
export class InferenceHosts {
  private turn = 0;
  private readonly failedAt = new Map<string, number>();

  constructor(readonly rules: InferenceHostRule[]) {}

  get configured(): boolean {
    return this.rules.length > 0;
  }

  /** Hosts to try in order; empty when none serves the target. */
  candidates(target: InferenceTarget, now = Date.now()): InferenceHost[] {
    const rule =
      (target.sourceSet !== undefined
        ? this.rules.find((r) => r.modelId === target.modelId && r.sourceSet === target.sourceSet)
        : undefined) ??
      this.rules.find((r) => r.modelId === target.modelId && (r.sourceSet === undefined || target.sourceSet === undefined)) ??
      this.rules.find((r) => r.modelId === '*');
    if (!rule) return [];
    const start = this.turn++ % rule.hosts.length;
    const rotated = [...rule.hosts.slice(start), ...rule.hosts.slice(0, start)];
    const healthy = rotated.filter((h) => !this.recentlyFailed(h, now));
    return [...healthy, ...rotated.filter((h) => this.recentlyFailed(h, now))];
  }

  markFailed(host: InferenceHost, now = Date.now()): void {
    this.failedAt.set(host.url, now);
  }

  markHealthy(host: InferenceHost): void {
    this.failedAt.delete(host.url);
  }

  private recentlyFailed(host: InferenceHost, now: number): boolean {
    const at = this.failedAt.get(host.url);
    return at !== undefined && now - at < FAILED_HOST_COOLDOWN_MS;
  }
}
