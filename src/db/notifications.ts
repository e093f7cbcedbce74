// Messages between server processes sharing one Postgres (WEB_CONCURRENCY workers, or several
// machines): Postgres LISTEN/NOTIFY on one channel. A process publishes after a write and waits
// until every other listening process has acknowledged (each applies the notice, then answers
// with an ack notice), so the writer's next request, wherever it lands, finds caches already
// cleared. Waiting for the publisher's own echo is not enough: each listening backend delivers on
// its own schedule. A process that does not answer within ACK_TIMEOUT_MS is not waited for.
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
  /** Set on acknowledgements: the id of the notice applied. */
  ack?: string;
}

/** How long a publisher waits for acknowledgements before answering anyway. */
const ACK_TIMEOUT_MS = 1000;
const LISTENER_NAME = 'neuronpedia-mirror-listen';

interface Pending {
  acked: number;
  expected: number;
  done(): void;
}
const RECONNECT_MS = 1000;

type Queryable = { query(text: string, values: unknown[]): Promise<unknown> };

export class Notifier {
  readonly origin = randomUUID();
  private client: pg.Client | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly onNotice: (notice: Notice) => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Connects and listens; on a lost connection, reconnects (and empties caches: notices may be lost). */
  async start(): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: LISTENER_NAME });
    client.on('notification', (message) => this.receive(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
  }

  /** Sends a notice to every process (this one excluded) and waits until they applied it. */
  async publish(db: Queryable, notice: Notice): Promise<void> {
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const applied = new Promise<void>((resolve) => {
      const entry: Pending = { acked: 0, expected: Infinity, done: resolve };
      this.pending.set(id, entry);
      timer = setTimeout(resolve, ACK_TIMEOUT_MS);
    });
    try {
      // The count and the notice in one statement: listeners that join later never saw older writes cached.
      const result = (await db.query(
        'SELECT pg_notify($1, $2), (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND application_name = $3) AS listeners',
        [CHANNEL, JSON.stringify({ ...notice, origin: this.origin, id } satisfies Envelope), LISTENER_NAME],
      )) as { rows: { listeners: number }[] };
      const entry = this.pending.get(id)!;
      entry.expected = result.rows[0]!.listeners - (this.client ? 1 : 0);
      if (entry.acked >= entry.expected) entry.done();
      await applied;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
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
    if (envelope.ack) {
      const entry = this.pending.get(envelope.ack);
      if (entry && ++entry.acked >= entry.expected) entry.done();
      return;
    }
    if (envelope.origin === this.origin) return;
    this.onNotice(envelope);
    // Applied (synchronously, above): tell the publisher.
    const ack: Envelope = { origin: this.origin, id: randomUUID(), ack: envelope.id };
    this.client?.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(ack)]).catch(() => {});
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

/** A one-off notice from a process that does not listen (the key command after a revocation). */
export async function notifyProcesses(db: Queryable, notice: Notice): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...notice, origin: 'cli', id: randomUUID() } satisfies Envelope)]);
}
