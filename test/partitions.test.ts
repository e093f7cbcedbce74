// Activation partitioned by model (migrations/0013): the in-place conversion of an
// existing database, partitions created with every model (hostile ids included), concurrent
// creators, and a dropped partition re-created.
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { ensureModelPartitions, modelPartitionName, partitionRows } from '../src/db/partitions.js';
import { listActivations } from '../src/db/queries/activations.js';
import { activation, model } from '../src/db/schema/index.js';
import { seedSource } from './fixtures/seed.js';
import { buildAppOn, openTestDatabase } from './helper.js';

const BEFORE_PARTITIONS = '0012_page-sessions';
const HOSTILE_IDS = [
  `it's a "model"; DROP TABLE "Neuron";--`,
  `${'gemma-scope-'.repeat(8)}one`,
  `${'gemma-scope-'.repeat(8)}two`,
  'Ünïcödé/模型',
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function open(options: { migrateThrough?: string } = {}) {
  const { database, drop } = await openTestDatabase(options);
  cleanups.push(drop);
  return database;
}

/** Row counts per model of a table (what must survive the conversion unchanged). */
async function countsByModel(database: Database, table: 'Neuron' | 'Activation' | 'Explanation' | 'ExplanationScore') {
  const query =
    table === 'ExplanationScore'
      ? sql`SELECT e."modelId", count(*)::int AS "rows" FROM "ExplanationScore" s JOIN "Explanation" e ON e.id = s."explanationId" GROUP BY 1 ORDER BY 1`
      : sql`SELECT "modelId", count(*)::int AS "rows" FROM ${sql.identifier(table)} GROUP BY 1 ORDER BY 1`;
  return queryRows<{ modelId: string; rows: number }>(database.db, query);
}

/** Names of the constraints on, and into, the feature tables: the conversion must keep them all. */
async function featureConstraints(database: Database) {
  const rows = await queryRows<{ name: string; def: string }>(
    database.db,
    sql`SELECT conrelid::regclass::text || '.' || conname AS "name", pg_get_constraintdef(oid) AS "def" FROM pg_constraint
        WHERE conparentid = 0 AND (conrelid IN ('"Neuron"'::regclass, '"Activation"'::regclass) OR confrelid IN ('"Neuron"'::regclass, '"Activation"'::regclass))
        ORDER BY 1`,
  );
  return rows.map((r) => `${r.name} ${r.def}`);
}

async function relkind(database: Database, table: string) {
  const [row] = await queryRows<{ relkind: string }>(
    database.db,
    sql`SELECT relkind FROM pg_class WHERE oid = to_regclass(quote_ident(${table}))`,
  );
  return row?.relkind;
}

describe('converting an existing database in place', () => {
  it('moves every row into its model partition, keeps keys, reads and cascades', async () => {
    const database = await open({ migrateThrough: BEFORE_PARTITIONS });
    expect(await relkind(database, 'Activation')).toBe('r');
    const models = ['gpt2-small', 'gemma-2-2b', HOSTILE_IDS[0]!];
    for (const [i, modelId] of models.entries()) await seedSource(database.db, { modelId, features: 3 + i, activationsPerFeature: 4 + i });
    const before = {
      neurons: await countsByModel(database, 'Neuron'),
      activations: await countsByModel(database, 'Activation'),
      explanations: await countsByModel(database, 'Explanation'),
      scores: await countsByModel(database, 'ExplanationScore'),
      // Activation's key gains modelId; every other constraint stays as it was.
      constraints: (await featureConstraints(database)).filter((c) => !c.startsWith('"Activation".Activation_pkey')),
    };
    const app = await buildAppOn(database, async () => {}, { FEATURE_CACHE_SIZE: '0' });
    const featureBefore = (await app.app.inject(`/api/feature/gemma-2-2b/6-res-jb/2`)).json();
    expect(featureBefore).toMatchObject({ modelId: 'gemma-2-2b', index: '2', activations: expect.any(Array) });
    expect(featureBefore.activations).toHaveLength(5);
    await app.close();

    await runMigrations(database);

    expect(await relkind(database, 'Neuron')).toBe('r');
    expect(await relkind(database, 'Activation')).toBe('p');
    expect(await countsByModel(database, 'Neuron')).toEqual(before.neurons);
    expect(await countsByModel(database, 'Activation')).toEqual(before.activations);
    expect(await countsByModel(database, 'Explanation')).toEqual(before.explanations);
    expect(await countsByModel(database, 'ExplanationScore')).toEqual(before.scores);
    const constraints = await featureConstraints(database);
    expect(constraints.filter((c) => !c.startsWith('"Activation".Activation_pkey'))).toEqual(before.constraints);
    expect(constraints).toContain('"Activation".Activation_pkey PRIMARY KEY ("modelId", id)');

    // Each model's rows sit in its own partition, and there is no other partition.
    const partitions = await partitionRows(database.db, 'Activation');
    expect(partitions).toHaveLength(models.length);
    for (const modelId of models) {
      const name = await modelPartitionName(database.db, 'Activation', modelId);
      const expected = before.activations.find((r) => r.modelId === modelId)!.rows;
      expect(partitions.find((p) => p.partition === name)?.rows).toBe(expected);
    }

    const after = await buildAppOn(database, async () => {}, { FEATURE_CACHE_SIZE: '0' });
    expect((await after.app.inject(`/api/feature/gemma-2-2b/6-res-jb/2`)).json()).toEqual(featureBefore);
    await after.close();

    // Deleting a model still cascades through the partitioned tables, and only to its rows.
    await database.db.delete(model).where(eq(model.id, 'gemma-2-2b'));
    expect((await countsByModel(database, 'Activation')).map((r) => r.modelId)).toEqual(['gpt2-small', HOSTILE_IDS[0]].sort());
    expect((await countsByModel(database, 'Explanation')).map((r) => r.modelId)).toEqual(['gpt2-small', HOSTILE_IDS[0]].sort());
    // And the foreign key from Activation to Neuron still refuses an orphan.
    await expect(database.db.insert(activation).values({ ...activationRow('gpt2-small', 'orphan'), index: '999' })).rejects.toThrow();
  });
});

function activationRow(modelId: string, id: string) {
  return {
    id,
    modelId,
    layer: '6-res-jb',
    index: '0',
    tokens: ['a', 'b'],
    values: [0, 1],
    maxValue: 1,
    maxValueTokenIndex: 1,
    minValue: 0,
    creatorId: 'x',
  };
}

describe('partitions of new models', () => {
  it('creates the partition with the model, under safe distinct names for hostile ids', async () => {
    const database = await open();
    for (const modelId of HOSTILE_IDS) await seedSource(database.db, { modelId, features: 2 });
    const names = new Set<string>();
    const partitions = await partitionRows(database.db, 'Activation');
    for (const modelId of HOSTILE_IDS) {
      const name = await modelPartitionName(database.db, 'Activation', modelId);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
      expect(partitions.find((p) => p.partition === name)?.rows).toBe(8);
      names.add(name);
    }
    expect(partitions).toHaveLength(HOSTILE_IDS.length);
    expect(names.size).toBe(HOSTILE_IDS.length);
    expect(await listActivations(database.db, { modelId: HOSTILE_IDS[2]!, layer: '6-res-jb', index: '1' })).toHaveLength(4);
  });

  it('is idempotent and safe when many creators race', async () => {
    const database = await open();
    const ids = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    await Promise.all(
      ids.map((id) => database.db.insert(model).values({ id, creatorId: 'x', layers: 1, neuronsPerLayer: 1, owner: 'me' })),
    );
    await Promise.all(ids.flatMap((id) => [ensureModelPartitions(database.db, id), ensureModelPartitions(database.db, id)]));
    const partitions = await partitionRows(database.db, 'Activation');
    for (const id of ids) expect(partitions.map((p) => p.partition)).toContain(await modelPartitionName(database.db, 'Activation', id));
    expect(partitions).toHaveLength(ids.length);
  });

  it('re-creates a partition dropped by hand', async () => {
    const database = await open();
    await seedSource(database.db, { modelId: 'repaired', features: 2, activationsPerFeature: 3 });
    const name = await modelPartitionName(database.db, 'Activation', 'repaired');
    await database.db.execute(sql`ALTER TABLE "Activation" DETACH PARTITION ${sql.identifier(name)}`);
    await database.db.execute(sql`DROP TABLE ${sql.identifier(name)}`);
    // Without its partition the model's rows have nowhere to go: this is what the trigger prevents.
    await expect(database.db.insert(activation).values(activationRow('repaired', 'late-1'))).rejects.toThrow();

    await ensureModelPartitions(database.db, 'repaired');
    await database.db.insert(activation).values([activationRow('repaired', 'late-1'), activationRow('repaired', 'late-2')]);
    expect((await partitionRows(database.db, 'Activation')).find((p) => p.partition === name)?.rows).toBe(2);
    expect(await listActivations(database.db, { modelId: 'repaired', layer: '6-res-jb', index: '0' })).toHaveLength(2);
  });
});
