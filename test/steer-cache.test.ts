// Steering reads the model, the sources (with their model and set) and the steered neurons through
// the feature cache: a warm request runs no query for them, only the saved-output lookup, the
// rate-limit count and the save (three statements in all); access is still checked per viewer on cached rows, and a write
// that clears the cache is seen by the next request.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neuron } from '../src/db/schema/index.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';
import { buildTestApp, type TestContext } from './helper.js';
import { recordQueries } from './fixtures/query-log.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const SOURCE = '6-res-jb';
const body = (seed: number, index = 1) => ({
  prompt: 'The most iconic structure on Earth is',
  modelId: 'gpt2-small',
  features: [{ modelId: 'gpt2-small', layer: SOURCE, index, strength: 40 }],
  temperature: 0.5,
  n_tokens: 4,
  seed,
  strength_multiplier: 4,
});
// The tables the access checks read: none of them may be queried by a warm steering request.
const ACCESS_TABLES = /from "(Model|Source|SourceSet|Neuron)"/i;

describe('steering access data from the feature cache', () => {
  let double: InferenceDouble;
  let ctx: TestContext;
  let alice: Awaited<ReturnType<typeof userWithKey>>;
  const steer = (payload: object, key?: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/steer', payload, headers: key ? { 'x-api-key': key } : {} });

  beforeAll(async () => {
    double = await startInferenceDouble();
    ctx = await buildTestApp({ INFERENCE_HOSTS: `*=${double.url}`, INFERENCE_SECRET: double.secret, RATE_LIMITS: 'steer=1000' });
    alice = await userWithKey(ctx.database.db, 'alice');
    await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 0 });
    // Feature 2 is alice's private upload.
    await ctx.database.db
      .update(neuron)
      .set({ visibility: 'PRIVATE', creatorId: alice.user.id })
      .where(and(eq(neuron.layer, SOURCE), eq(neuron.index, '2')));
  });
  afterAll(async () => {
    await ctx?.close();
    await double?.close();
  });

  it('a warm request queries only the saved outputs, the rate limit and the save', async () => {
    expect((await steer(body(1))).statusCode).toBe(200);
    const log = recordQueries(ctx.database.db);
    try {
      const res = await steer(body(2));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().STEERED).toEqual(expect.any(String));
    } finally {
      log.stop();
    }
    expect(log.queries.filter((q) => ACCESS_TABLES.test(q))).toEqual([]);
    // Three statements, one round trip each: the rate-limit count, the lookup of both saved outputs,
    // the save of both (no BEGIN/COMMIT around it).
    expect(log.queries).toHaveLength(3);
    expect(log.queries[0]).toMatch(/^INSERT INTO "RateLimitCounter"/);
    expect(log.queries[1]).toMatch(/^SELECT [\s\S]*\bFROM \(VALUES [\s\S]*JOIN LATERAL [\s\S]*"SteerOutput"/);
    expect(log.queries[2]).toMatch(/^WITH saved AS \(\s*INSERT INTO "SteerOutput"/);
    // A repeat is answered from the saved outputs, with no inference call.
    double.requests = [];
    expect((await steer(body(2))).json().STEERED).toBe((await steer(body(2))).json().STEERED);
    expect(double.requests).toEqual([]);
  });

  it('still refuses a private feature to others once its owner has filled the cache', async () => {
    expect((await steer(body(3, 2), alice.key)).statusCode).toBe(200);
    const res = await steer(body(3, 2));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: expect.any(String) });
  });

  it('sees a change once a write has cleared the cache', async () => {
    expect((await steer(body(4, 0))).statusCode).toBe(200);
    await ctx.database.db
      .update(neuron)
      .set({ visibility: 'PRIVATE', creatorId: alice.user.id })
      .where(and(eq(neuron.layer, SOURCE), eq(neuron.index, '0')));
    // A direct database write is not seen until the cache is cleared, as every write route does.
    expect((await steer(body(5, 0))).statusCode).toBe(200);
    await ctx.app.invalidateFeatures();
    expect((await steer(body(6, 0))).statusCode).toBe(404);
  });
});
