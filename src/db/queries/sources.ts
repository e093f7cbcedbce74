// Models, source sets and sources by key: what access checks need before reading features.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { model, source, sourceRelease, sourceSet } from '../schema/index.js';

/** Sources are `<layer>-<set>`: order by layer number (so 10 follows 9), then by id. */
export const sourceLayerOrder = [sql`substring(${source.id} from '^[0-9]{1,9}')::int NULLS LAST`, source.id];

export async function findSourceSet(db: Db, modelId: string, name: string) {
  const rows = await db
    .select({ sourceSet, model, release: sourceRelease })
    .from(sourceSet)
    .innerJoin(model, eq(model.id, sourceSet.modelId))
    .leftJoin(sourceRelease, eq(sourceRelease.name, sourceSet.releaseName))
    .where(and(eq(sourceSet.modelId, modelId), eq(sourceSet.name, name)))
    .limit(1);
  return rows[0];
}

export type SourceSetWithSources = NonNullable<Awaited<ReturnType<typeof findSourceSet>>> & { sources: Array<typeof source.$inferSelect> };

/** A source set with its model, release and sources; undefined when there is no such set. */
export async function findSourceSetWithSources(db: Db, modelId: string, name: string): Promise<SourceSetWithSources | undefined> {
  const [found, sources] = await Promise.all([findSourceSet(db, modelId, name), listSourcesOfSet(db, modelId, name)]);
  return found && { ...found, sources };
}

export async function listSourcesOfSet(db: Db, modelId: string, setName: string) {
  return db
    .select()
    .from(source)
    .where(and(eq(source.modelId, modelId), eq(source.setName, setName)))
    .orderBy(...sourceLayerOrder);
}

/** The model, source and source set behind each `(modelId, sourceId)` pair, for access checks. */
export async function findSourcesWithParents(db: Db, pairs: Array<{ modelId: string; layer: string }>) {
  if (pairs.length === 0) return [];
  const tuples = pairs.map((p) => sql`(${p.modelId}, ${p.layer})`);
  return db
    .select({ model, source, sourceSet })
    .from(source)
    .innerJoin(model, eq(model.id, source.modelId))
    .leftJoin(sourceSet, and(eq(sourceSet.modelId, source.modelId), eq(sourceSet.name, source.setName)))
    .where(sql`(${source.modelId}, ${source.id}) IN (${sql.join(tuples, sql`, `)})`);
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

export async function listSourceSets(db: Db) {
  return db.select().from(sourceSet).orderBy(asc(sourceSet.modelId), asc(sourceSet.name));
}

export async function listSources(db: Db) {
  return db
    .select()
    .from(source)
    .orderBy(asc(source.modelId), ...sourceLayerOrder);
}

export async function listSourceReleases(db: Db) {
  return db.select().from(sourceRelease).orderBy(asc(sourceRelease.name));
}
