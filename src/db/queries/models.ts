// Model rows: lookup, creation by upload, and the catalog listing.
import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { model } from '../schema/index.js';

export async function findModel(db: Db, id: string) {
  const [row] = await db.select().from(model).where(eq(model.id, id)).limit(1);
  return row;
}

export async function insertModel(db: Db, values: typeof model.$inferInsert) {
  const [row] = await db.insert(model).values(values).returning();
  return row!;
}

export async function listModels(db: Db) {
  return db.select().from(model).orderBy(asc(model.id));
}

export async function countModels(db: Db): Promise<number> {
  const [row] = await db.select({ models: count() }).from(model);
  return Number(row?.models ?? 0);
}
