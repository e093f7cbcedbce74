// Messages between server processes sharing one Postgres (WEB_CONCURRENCY workers, or several
// machines): Postgres LISTEN/NOTIFY on one channel. A process publishes after a write and waits
// until its own listener hears the message back: Postgres hands a notification to every listening
// session at the same commit, so by then the others have it on their sockets too, and the
// writer's next request, wherever it lands, finds their caches already cleared.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const CHANNEL = 'neuronpedia_mirror';

export interface Notice {
  /** Caches to empty: the feature cache (with search-all's sources) and the API key cache. */
  caches?: ('features' | 'keys')[];
  /** Callers who just wrote, and when (epoch ms): their reads avoid replicas that lack the write. */
  writers?: { callers: string[]; at: number };
}

interface Envelope extends Notice {
  origin: string;
  id: string;
}

/** How long a publisher waits for its own echo before answering anyway. */
const ECHO_TIMEOUT_MS = 1000;
const RECONNECT_MS = 1000;

export class Notifier {
  readonly origin = randomUUID();
  private client: pg.Client | undefined;
  private readonly echoes = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly onNotice: (notice: Notice) => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Connects and listens; on a lost connection, reconnects (and empties caches: notices may be lost). */
  async start(): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: 'neuronpedia-mirror-listen' });
    client.on('notification', (message) => this.receive(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  /** Sends a notice to every process (this one excluded) and waits until Postgres delivered it. */
  async publish(db: { query(text: string, values: unknown[]): Promise<unknown> }, notice: Notice): Promise<void> {
    const id = randomUUID();
    const heard = this.client
      ? new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ECHO_TIMEOUT_MS);
          this.echoes.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        })
      : Promise.resolve();
    try {
      await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...notice, origin: this.origin, id } satisfies Envelope)]);
      await heard;
    } finally {
      this.echoes.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private receive(payload: string | undefined): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return;
    }
    if (envelope.origin === this.origin) {
      this.echoes.get(envelope.id)?.();
      return;
    }
    this.onNotice(envelope);
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.onError(error);
    // Messages sent while disconnected are gone: forget everything cached, then listen again.
    this.onNotice({ caches: ['features', 'keys'] });
    const retry = (): void => {
      if (this.closed) return;
      this.start().catch((again) => {
        this.onError(again);
        setTimeout(retry, RECONNECT_MS).unref();
      });
    };
    setTimeout(retry, RECONNECT_MS).unref();
  }
}
