// Writes behind the upload routes: models, source sets with their sources, vectors, activations.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activation, model, neuron, source, sourceSet } from '../schema/index.js';

export async function findModel(db: Db, id: string) {
  const [row] = await db.select().from(model).where(eq(model.id, id)).limit(1);
  return row;
}

export async function insertModel(db: Db, values: typeof model.$inferInsert) {
  const [row] = await db.insert(model).values(values).returning();
  return row!;
}

/** A source set and one source per layer (`<layer>-<name>`), in one transaction. */
export async function insertSourceSetWithSources(db: Db, set: typeof sourceSet.$inferInsert, layers: number) {
  await db.transaction(async (tx) => {
    await tx.insert(sourceSet).values(set);
    if (layers > 0) {
      await tx.insert(source).values(
        Array.from({ length: layers }, (_, layer) => ({
          id: `${layer}-${set.name}`,
          modelId: set.modelId,
          setName: set.name,
          creatorId: set.creatorId,
          visibility: set.visibility,
        })),
      );
    }
  });
}

/** Creates the shared source set and source vectors live in when they are missing (as upstream). */
export async function ensureVectorSource(db: Db, modelId: string, layerNumber: number, setName: string, creatorId: string) {
  await db
    .insert(sourceSet)
    .values({ modelId, name: setName, description: 'Default', creatorId, creatorName: 'Neuronpedia', visibility: 'UNLISTED', urls: [] })
    .onConflictDoNothing();
  const id = `${layerNumber}-${setName}`;
  await db.insert(source).values({ id, modelId, setName, creatorId, visibility: 'UNLISTED' }).onConflictDoNothing();
  return id;
}

export async function insertNeuron(db: Db, values: typeof neuron.$inferInsert) {
  const [row] = await db.insert(neuron).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findNeuron(db: Db, modelId: string, layer: string, index: string) {
  const [row] = await db
    .select()
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), eq(neuron.index, index)))
    .limit(1);
  return row;
}

export async function deleteNeuron(db: Db, modelId: string, layer: string, index: string) {
  await db.delete(neuron).where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), eq(neuron.index, index)));
}

export async function listVectorsOf(db: Db, userId: string) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      vectorLabel: neuron.vectorLabel,
      createdAt: neuron.createdAt,
      creatorId: neuron.creatorId,
      vectorDefaultSteerStrength: neuron.vectorDefaultSteerStrength,
      hookName: neuron.hookName,
      vector: neuron.vector,
    })
    .from(neuron)
    .where(and(eq(neuron.creatorId, userId), eq(neuron.hasVector, true)))
    .orderBy(neuron.createdAt, neuron.modelId, neuron.layer, neuron.index);
}

export async function insertActivations(db: Db, rows: Array<typeof activation.$inferInsert>) {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(activation).values(rows).onConflictDoNothing().returning({ id: activation.id });
  return inserted.length;
}
