// A client that goes away from a streamed /api/steer stops the engine's generation: over real
// sockets, client → mirror → engine server; the client reads one frame and closes its socket, the
// mirror drops its stream to the engine, the engine server sees that socket close and its worker
// stops between tokens. The engine's own counters show the generation cancelled early.
import net from 'node:net';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model } from '../../src/db/schema/index.js';
import { buildEngineServer } from '../../src/engine/server/app.js';
import { seedSource } from '../fixtures/seed.js';
import { userWithKey } from '../fixtures/users.js';
import { buildTestApp, type TestContext } from '../helper.js';
import { expected } from './fixtures.js';
import { makeModelsDir } from './models-dir.js';

let engine: FastifyInstance;
let engineUrl: string;
let ctx: TestContext;
let mirrorPort: number;
let key: string;
let models: ReturnType<typeof makeModelsDir>;

beforeAll(async () => {
  models = makeModelsDir();
  engine = await buildEngineServer({ modelsDir: models.dir });
  engineUrl = await engine.listen({ port: 0, host: '127.0.0.1' });
  ctx = await buildTestApp({ INFERENCE_HOSTS: `tiny-gpt2=${engineUrl}` });
  await seedSource(ctx.database.db, { modelId: 'tiny-gpt2', setName: 'res-std', layerNumber: 1, features: 8, activationsPerFeature: 1 });
  // The engine knows the model by its id (not a TransformerLens name).
  await ctx.database.db.update(model).set({ tlensId: null }).where(eq(model.id, 'tiny-gpt2'));
  key = (await userWithKey(ctx.database.db, 'alice')).key;
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  mirrorPort = (ctx.app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await ctx?.close();
  await engine?.close();
  models?.remove();
});

const status = async () =>
  (await (await fetch(`${engineUrl}/v1/engine/status`)).json()) as { steer: { tokens: number; cancelled: number } };

/** Sends a streamed steer request on a raw socket; resolves with the bytes received when the first SSE frame arrived, then closes. */
function steerAndHangUp(nTokens: number): Promise<string> {
  const body = JSON.stringify({
    modelId: 'tiny-gpt2',
    prompt: expected.prompts[1]!.text,
    features: [{ modelId: 'tiny-gpt2', layer: '1-res-std', index: 3, strength: 4 }],
    temperature: 0,
    n_tokens: nTokens,
    freq_penalty: 0,
    seed: 1,
    strength_multiplier: 1,
    steer_method: 'SIMPLE_ADDITIVE',
    normalize_steering: false,
    stream: true,
  });
  return new Promise((resolve, reject) => {
    const socket = net.connect(mirrorPort, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('data: ')) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(
      `POST /api/steer HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-api-key: ${key}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe('a client that disconnects from a streamed steer', () => {
  it('stops the generation in the engine long before its end', async () => {
    const before = await status();
    const received = await steerAndHangUp(200);
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).toContain('text/event-stream');
    let after = await status();
    for (let i = 0; i < 100 && after.steer.cancelled === before.steer.cancelled; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await status();
    }
    // The mirror asks for STEERED and DEFAULT as separate engine calls: each one is cancelled.
    expect(
      after.steer.cancelled - before.steer.cancelled,
      JSON.stringify({ after, received: received.slice(0, 300) }),
    ).toBeGreaterThanOrEqual(1);
    const generated = after.steer.tokens - before.steer.tokens;
    // Both STEERED and DEFAULT would have run to the context's end (~230 tokens); it stopped early.
    expect(generated).toBeGreaterThan(0);
    expect(generated).toBeLessThan(60);
    // Nothing left running: the count stays put.
    await new Promise((r) => setTimeout(r, 200));
    expect((await status()).steer.tokens).toBe(after.steer.tokens);
  });
});
