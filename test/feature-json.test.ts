// The one-query feature read (readFeatureJson) against the four-query read it replaced on
// GET /api/feature (readFeature's object, serialized by the route's response schema): the same
// bytes, and the same answer to every viewer, on seeded features with everything a feature holds.
import { and, eq, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../src/db/client.js';
import { activation, explanation, explanationScore, list, listsOnNeurons, neuron, source, user } from '../src/db/schema/index.js';
import { findFeatureJson } from '../src/db/queries/feature-json.js';
import { FeatureResponse } from '../src/schemas/feature.js';
import type { Viewer } from '../src/services/access/viewer.js';
import { readFeature } from '../src/services/feature/read-feature.js';
import { readFeatureJson } from '../src/services/feature/read-feature-json.js';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';

let ctx: TestContext;
// The route's response schema, compiled as Fastify compiles it: what the four-query read's object became.
const reference = Fastify();
let toSerialize: unknown;
reference.get('/', { schema: { response: { 200: FeatureResponse } } }, async () => toSerialize);

async function multiQueryBody(key: { modelId: string; layer: string; index: string }, viewer: Viewer | null) {
  const result = await readFeature(ctx.database.db, key, viewer);
  if (!result.found) return result;
  toSerialize = result.feature;
  const res = await reference.inject({ method: 'GET', url: '/' });
  expect(res.statusCode).toBe(200);
  return { found: true as const, body: res.body, guards: result.guards };
}

const ALICE: Viewer = { id: 'user-alice', name: 'alice', admin: false };
const ADMIN: Viewer = { id: 'user-admin', name: 'admin', admin: true };
const VIEWERS = [null, ALICE, ADMIN];

beforeAll(async () => {
  ctx = await buildTestApp();
  await reference.ready();
  const db = ctx.database.db;
  await seedSource(db, { activationsPerFeature: 12, tokensPerActivation: 8 });
  await seedSource(db, {
    modelId: 'secret-model',
    setName: 'priv',
    layerNumber: 0,
    visibility: 'PRIVATE',
    creatorId: ALICE.id,
    features: 1,
  });
  await db.insert(user).values([
    { id: ALICE.id, name: 'alice' },
    { id: 'user-nameless', name: '' },
  ]);
  // Numbers Postgres and JavaScript write differently, text that needs escaping, nested jsonb.
  await db
    .update(neuron)
    .set({
      frac_nonzero: 0.0000123,
      maxActApprox: 1e-7,
      vector: [1e-7, 1.5e21, -0.5, 3.4028234663852886e38, 0, -0],
      vectorLabel: 'quote " backslash \\ tab \t ctl \u0001 é 🐈',
      umap_x: 12345678901234568,
      pos_str: ['\u2028', '</script>', 'Ġ'],
    })
    .where(and(eq(neuron.modelId, 'gpt2-small'), eq(neuron.layer, '6-res-jb'), eq(neuron.index, '1')));
  await db
    .update(source)
    .set({ saelensConfig: { d_sae: 24576, nested: { list: [1, 2.5e-8, null, 'x'], empty: {} }, flag: true } })
    .where(eq(source.id, '6-res-jb'));
  // Explanations triggered by a named user, by a user without a name, and a second score.
  await db.update(explanation).set({ triggeredByUserId: ALICE.id }).where(eq(explanation.id, 'exp-gpt2-small-6-res-jb-1-a'));
  await db.update(explanation).set({ triggeredByUserId: 'user-nameless' }).where(eq(explanation.id, 'exp-gpt2-small-6-res-jb-1-b'));
  await db.insert(explanationScore).values({
    id: 'score-extra',
    initiatedByUserId: ALICE.id,
    value: 1e-9,
    explanationId: 'exp-gpt2-small-6-res-jb-1-b',
    explanationScoreTypeName: 'eleuther_recall',
    explanationScoreModelName: 'gpt-4o-mini',
    jsonDetails: '{"a":[1,2]}',
    createdAt: new Date('2024-01-01T00:00:00.001Z'),
  });
  // Two lists holding feature 1, one of them with a note.
  const at = (s: string) => new Date(`2024-05-0${s}T10:00:00.123Z`);
  await db.insert(list).values([
    { id: 'list-b', name: 'Second', description: 'two', userId: ALICE.id, createdAt: at('1'), updatedAt: at('2') },
    { id: 'list-a', name: 'First', description: 'one', defaultTestText: 'hi', userId: ALICE.id, createdAt: at('1'), updatedAt: at('1') },
  ]);
  const item = { modelId: 'gpt2-small', layer: '6-res-jb', index: '1', userId: ALICE.id };
  await db.insert(listsOnNeurons).values([
    { ...item, listId: 'list-b', addedAt: at('4'), description: 'noted' },
    { ...item, listId: 'list-a', addedAt: at('3') },
  ]);
  // A feature without activations (the activations are written as text, `[]` when none).
  await db.delete(activation).where(eq(activation.modelId, 'secret-model'));
  // A private upload in a public source: its own visibility.
  await db
    .update(neuron)
    .set({ visibility: 'PRIVATE', creatorId: ALICE.id })
    .where(and(eq(neuron.layer, '6-res-jb'), eq(neuron.index, '2')));
});
afterAll(async () => {
  await ctx?.close();
  await reference.close();
});

const KEYS = [
  { modelId: 'gpt2-small', layer: '6-res-jb', index: '1' }, // everything: lists, triggered users, odd numbers and text
  { modelId: 'gpt2-small', layer: '6-res-jb', index: '0' },
  { modelId: 'gpt2-small', layer: '6-res-jb', index: '2' }, // private feature of alice
  { modelId: 'secret-model', layer: '0-priv', index: '0' }, // private model of alice
  { modelId: 'gpt2-small', layer: '6-res-jb', index: '99' }, // no such feature
  { modelId: 'gpt2-small', layer: '7-res-jb', index: '1' }, // no such source
  { modelId: 'nope', layer: '6-res-jb', index: '1' }, // no such model
];

describe('one-query feature read', () => {
  it('writes the same bytes as the four-query read, and answers each viewer the same', async () => {
    for (const key of KEYS) {
      for (const viewer of VIEWERS) {
        const label = `${key.modelId}/${key.layer}/${key.index} as ${viewer?.name ?? 'anonymous'}`;
        const [expected, actual] = [await multiQueryBody(key, viewer), await readFeatureJson(ctx.database.db, key, viewer)];
        expect(actual, label).toEqual(expected);
      }
    }
  });

  it('covers what the comparison is meant to cover', async () => {
    const result = await readFeatureJson(ctx.database.db, KEYS[0]!, null);
    if (!result.found) throw new Error('feature 1 not found');
    const body = JSON.parse(result.body);
    expect(body.lists.map((l: { listId: string }) => l.listId)).toEqual(['list-a', 'list-b']);
    expect(body.explanations.map((e: { triggeredByUser: unknown }) => e.triggeredByUser)).toEqual([{ id: ALICE.id, name: 'alice' }, null]);
    expect(body.explanations[1].scores).toHaveLength(2);
    expect(body.activations).toHaveLength(12);
    expect(body.frac_nonzero).toBe(0.0000123);
    expect(result.body).toContain('"frac_nonzero":0.0000123');
    expect(result.body.endsWith(',"visibility":null}')).toBe(true);
    // Feature 1's numbers take the parse-and-stringify path, feature 0's the spliced text as Postgres wrote it.
    const postgresOnly = /\de[-+]\d|[:,[]-0[,\]}]/;
    expect(postgresOnly.test((await findFeatureJson(ctx.database.db, KEYS[0]!))!.json!)).toBe(true);
    expect(postgresOnly.test((await findFeatureJson(ctx.database.db, KEYS[1]!))!.json!)).toBe(false);
    const empty = await readFeatureJson(ctx.database.db, KEYS[3]!, ALICE);
    expect(empty.found && JSON.parse(empty.body).activations).toEqual([]);
    expect((await readFeatureJson(ctx.database.db, KEYS[2]!, null)).found).toBe(false);
    expect((await readFeatureJson(ctx.database.db, KEYS[2]!, ALICE)).found).toBe(true);
  });

  it('is what the route sends', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/feature/gpt2-small/6-res-jb/1' });
    expect(res.statusCode).toBe(200);
    const expected = await multiQueryBody(KEYS[0]!, null);
    expect(expected.found && res.body === expected.body).toBe(true);
  });

  // Parsing and planning this query cost Postgres about half of an unnamed read's time.
  it.runIf(process.env.TEST_DATABASE_URL)('is a named statement, parsed once per connection and run with a kept plan', async () => {
    // One connection, so the statement's statistics are that connection's.
    const single = await openDatabase({ databaseUrl: ctx.database.pool!.options.connectionString!, dataDir: '', poolSize: 1 });
    try {
      for (let i = 0; i < 8; i++) expect((await readFeatureJson(single.db, KEYS[i % 2]!, null)).found).toBe(true);
      const [stats] = await queryRows<{ count: string; generic: string }>(
        single.db,
        sql`SELECT count(*) AS "count", coalesce(sum(generic_plans), 0) AS "generic" FROM pg_prepared_statements WHERE name = 'feature-json'`,
      );
      expect(Number(stats!.count)).toBe(1);
      expect(Number(stats!.generic)).toBeGreaterThan(0);
    } finally {
      await single.close();
    }
  });
});
