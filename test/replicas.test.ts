// Read replicas against a real streaming replica (scripts/dev-postgres start-replica): reads go to
// the replica, a caller who just wrote reads their write, a replica that lags past the limit or is
// down is skipped. Replay is paused on the replica to make it lag on purpose.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { explanation } from '../src/db/schema/index.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';
import { buildAppOn, openTestDatabase, type TestContext } from './helper.js';
import { BOT_ID, seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';

const replicaServer = process.env.TEST_REPLICA_URL;
const MAX_LAG_MS = 2500;
const DEAD_REPLICA = 'postgres://postgres@127.0.0.1:1/nothing';

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!replicaServer || !process.env.TEST_DATABASE_URL)(
  'read replicas (needs TEST_DATABASE_URL and TEST_REPLICA_URL: scripts/dev-postgres start-replica)',
  () => {
    let ctx: TestContext;
    let routed: Database;
    let replicaAdmin: pg.Client;
    let double: InferenceDouble;
    let dbName: string;
    let alice: Awaited<ReturnType<typeof userWithKey>>;
    const feature = '/api/feature/gpt2-small/6-res-jb/0';
    const descriptions = async (key?: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: feature, headers: key ? { 'x-api-key': key } : {} });
      expect(res.statusCode).toBe(200);
      return (res.json().explanations as { description: string }[]).map((e) => e.description);
    };

    beforeAll(async () => {
      const test = await openTestDatabase();
      dbName = new URL(test.url!).pathname.slice(1);
      alice = await userWithKey(test.database.db, 'alice');
      await seedSource(test.database.db, { features: 1, activationsPerFeature: 1 });
      const replicaUrl = new URL(replicaServer!);
      replicaUrl.pathname = `/${dbName}`;
      replicaAdmin = new pg.Client({ connectionString: replicaUrl.toString() });
      await until('the test database on the replica', () =>
        replicaAdmin.connect().then(
          () => true,
          () => ((replicaAdmin = new pg.Client({ connectionString: replicaUrl.toString() })), false),
        ),
      );
      routed = await openDatabase({
        databaseUrl: test.url,
        dataDir: 'unused',
        poolSize: 4,
        replicas: { urls: [replicaUrl.toString(), DEAD_REPLICA], maxLagMs: MAX_LAG_MS, checkIntervalMs: 50 },
      });
      double = await startInferenceDouble();
      // No response cache: every read below reaches a database.
      ctx = await buildAppOn(routed, async () => test.drop(), {
        FEATURE_CACHE_SIZE: '0',
        INFERENCE_HOSTS: `*=${double.url}`,
        INFERENCE_SECRET: double.secret,
      });
      await until(
        'the replica to catch up',
        () => routed.replicas!.status()[0]!.lagMs !== null && routed.replicas!.status()[0]!.lagMs! < 500,
      );
    });
    /** Pausing is only requested by the call: wait until replay has really stopped. */
    const pauseReplay = async () => {
      await replicaAdmin.query('SELECT pg_wal_replay_pause()');
      await until(
        'replay to pause',
        async () => (await replicaAdmin.query('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s === 'paused',
      );
    };
    afterAll(async () => {
      await replicaAdmin?.query('SELECT pg_wal_replay_resume()').catch(() => {});
      await replicaAdmin?.end();
      await ctx?.close();
      await double?.close();
    });

    it('connects to the live replica and skips the down one (the next test proves who answers)', async () => {
      expect(await descriptions()).toHaveLength(2);
      const { rows } = await replicaAdmin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'neuronpedia-mirror-replica' AND datname = $1",
        [dbName],
      );
      expect(rows[0].n).toBeGreaterThan(0);
      const [live, dead] = routed.replicas!.status();
      expect(live).toMatchObject({ up: true });
      expect(dead).toMatchObject({ up: false });
    });

    it('a write is read at once by its writer and by everyone (it emptied the feature cache), while the replica lacks it', async () => {
      await pauseReplay();
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/explanation/new',
        headers: { 'x-api-key': alice.key },
        payload: { feature: { modelId: 'gpt2-small', layer: '6-res-jb', index: 0, explanation: 'written by alice' } },
      });
      expect(res.statusCode).toBe(200);
      expect(await descriptions(alice.key)).toContain('written by alice');
      expect(await descriptions()).toContain('written by alice');
      const resumed = Date.now();
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
      // Caught up as of a moment after the write: the replica serves everyone again.
      await until('the replica to replay the write', () => Date.now() - (routed.replicas!.status()[0]!.lagMs ?? Infinity) > resumed);
    });

    it("reads go to the replica, except a writer's own, until it lags past the limit", async () => {
      await pauseReplay();
      // A write behind the app's back shows only on the primary.
      await routed.primary.insert(explanation).values({
        id: 'behind-the-back',
        modelId: 'gpt2-small',
        layer: '6-res-jb',
        index: '0',
        description: 'primary only',
        authorId: BOT_ID,
      });
      const paused = Date.now();
      // A write that leaves features alone (a new list): its writer reads it, others read the replica.
      const list = await ctx.app.inject({
        method: 'POST',
        url: '/api/list/new',
        headers: { 'x-api-key': alice.key },
        payload: { name: 'mine' },
      });
      expect(list.statusCode).toBe(200);
      const getList = (key?: string) =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/list/get',
          headers: key ? { 'x-api-key': key } : {},
          payload: { listId: list.json().id },
        });
      expect((await getList(alice.key)).statusCode).toBe(200);
      expect((await getList()).statusCode).toBe(404);
      expect(await descriptions()).not.toContain('primary only');
      // Alice wrote just now, so she reads the primary (where the behind-the-back row is too).
      expect(await descriptions(alice.key)).toContain('primary only');
      expect(Date.now() - paused).toBeLessThan(MAX_LAG_MS);
      await until('the replica to count as lagging', () => (routed.replicas!.status()[0]!.lagMs ?? 0) > MAX_LAG_MS);
      expect(await descriptions()).toContain('primary only');
      expect((await getList()).statusCode).toBe(200);
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    });

    it('a steering result (saved in one raw statement) loads at once for its writer while the replica lacks it', async () => {
      // Bob has written nothing yet: only the steering save can make him a writer.
      const bob = await userWithKey(routed.primary, 'bob');
      await until(
        'the replica to have bob',
        async () => (await replicaAdmin.query('SELECT 1 FROM "User" WHERE name = $1', ['bob'])).rowCount === 1,
      );
      await pauseReplay();
      const payload = {
        prompt: 'The most iconic structure on Earth is',
        modelId: 'gpt2-small',
        features: [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 0, strength: 40 }],
        temperature: 0.5,
        n_tokens: 4,
        seed: 7,
        strength_multiplier: 4,
      };
      const steered = await ctx.app.inject({ method: 'POST', url: '/api/steer', headers: { 'x-api-key': bob.key }, payload });
      expect(steered.statusCode, steered.body).toBe(200);
      const load = (key?: string) =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/steer-load',
          headers: key ? { 'x-api-key': key } : {},
          payload: { steerOutputId: steered.json().id },
        });
      expect((await load(bob.key)).statusCode).toBe(200);
      expect((await load()).statusCode).toBe(404);
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    });
  },
);
