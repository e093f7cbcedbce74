// Server-sent events on a Fastify reply: takes over the response (no compression, which would hold
// frames back), keeps the headers already set (CORS, rate limits), and writes `data:` frames.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

export interface EventStream {
  send(data: unknown, event?: string): void;
  /** Resolves once the client has taken what was sent (or has gone): a producer that awaits it goes at the client's pace. */
  drained(): Promise<void>;
  end(): void;
  /** True once the client has gone. */
  readonly closed: boolean;
}

export function openEventStream(reply: FastifyReply): EventStream {
  const headers = reply.getHeaders() as OutgoingHttpHeaders;
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'access-control-allow-origin': '*',
    // Tells nginx-style proxies not to buffer the stream.
    'x-accel-buffering': 'no',
  });
  return {
    send(data, event) {
      if (!out.writableEnded && !out.destroyed) out.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    drained() {
      if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
    },
    end() {
      if (!out.writableEnded) out.end();
    },
    get closed() {
      return out.destroyed || out.writableEnded;
    },
  };
}
