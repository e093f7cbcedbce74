// Lists of features.
import { createId } from '@paralleldrive/cuid2';
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { list, listsOnNeurons, user } from '../schema/index.js';

/** One entry of a list: the list and the feature. */
const itemMatch = (listId: string, modelId: string, layer: string, index: string) =>
  and(
    eq(listsOnNeurons.listId, listId),
    eq(listsOnNeurons.modelId, modelId),
    eq(listsOnNeurons.layer, layer),
    eq(listsOnNeurons.index, index),
  );

export async function insertList(db: Db, userId: string, name: string, description: string, defaultTestText: string | null) {
  const [row] = await db.insert(list).values({ id: createId(), userId, name, description, defaultTestText }).returning();
  return row!;
}

export async function findList(db: Db, id: string) {
  const [row] = await db
    .select({ list, userName: user.name })
    .from(list)
    .leftJoin(user, eq(user.id, list.userId))
    .where(eq(list.id, id))
    .limit(1);
  return row;
}

export async function listListsOf(db: Db, userId: string) {
  const rows = await db
    .select({ list, features: count(listsOnNeurons.listId) })
    .from(list)
    .leftJoin(listsOnNeurons, eq(listsOnNeurons.listId, list.id))
    .where(eq(list.userId, userId))
    .groupBy(list.id)
    .orderBy(asc(list.createdAt));
  return rows.map((r) => ({ ...r.list, _count: { neurons: Number(r.features) } }));
}

export async function insertListItems(db: Db, rows: Array<typeof listsOnNeurons.$inferInsert>) {
  return db.insert(listsOnNeurons).values(rows).onConflictDoNothing().returning();
}

export async function listItems(db: Db, listId: string) {
  return db
    .select()
    .from(listsOnNeurons)
    .where(eq(listsOnNeurons.listId, listId))
    .orderBy(asc(listsOnNeurons.addedAt), asc(listsOnNeurons.modelId), asc(listsOnNeurons.layer), asc(listsOnNeurons.index));
}

export async function deleteListItem(db: Db, listId: string, modelId: string, layer: string, index: string) {
  const [row] = await db
    .delete(listsOnNeurons)
    .where(itemMatch(listId, modelId, layer, index))
    .returning();
  return row;
}

export async function deleteList(db: Db, id: string) {
  await db.delete(list).where(eq(list.id, id));
}

/** The lists a feature is in, each with its List row, as the feature page shows them. */
export async function listsOfFeature(db: Db, modelId: string, layer: string, index: string) {
  const rows = await db
    .select({ item: listsOnNeurons, list })
    .from(listsOnNeurons)
    .innerJoin(list, eq(list.id, listsOnNeurons.listId))
    .where(and(eq(listsOnNeurons.modelId, modelId), eq(listsOnNeurons.layer, layer), eq(listsOnNeurons.index, index)))
    .orderBy(asc(listsOnNeurons.addedAt), asc(listsOnNeurons.listId));
  return rows.map((r) => ({ ...r.item, list: r.list }));
}

export async function updateList(db: Db, id: string, fields: { name: string; description: string; defaultTestText: string | null }) {
  const [row] = await db
    .update(list)
    .set({ ...fields, updatedAt: new Date() })
    .where(eq(list.id, id))
    .returning();
  return row;
}

/** Sets one list entry's note; undefined when the feature is not in the list. */
export async function updateListItemDescription(
  db: Db,
  listId: string,
  modelId: string,
  layer: string,
  index: string,
  description: string,
) {
  const [row] = await db
    .update(listsOnNeurons)
    .set({ description })
    .where(itemMatch(listId, modelId, layer, index))
    .returning();
  return row;
}
