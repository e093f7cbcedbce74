// The explanation configuration tables (ExplanationType, ExplanationModelType, ExplanationScoreModel):
// lookups by name and the lists that error messages name.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanationModelType, explanationScoreModel, explanationScoreType, explanationType } from '../schema/index.js';

export async function findExplanationType(db: Db, name: string) {
  const [row] = await db.select().from(explanationType).where(eq(explanationType.name, name)).limit(1);
  return row;
}

export async function findExplanationModelType(db: Db, name: string) {
  const [row] = await db.select().from(explanationModelType).where(eq(explanationModelType.name, name)).limit(1);
  return row;
}

export async function findScoreModel(db: Db, name: string) {
  const [row] = await db.select().from(explanationScoreModel).where(eq(explanationScoreModel.name, name)).limit(1);
  return row;
}

export async function listScoreModelNames(db: Db): Promise<string[]> {
  const rows = await db.select({ name: explanationScoreModel.name }).from(explanationScoreModel).orderBy(asc(explanationScoreModel.name));
  return rows.map((r) => r.name);
}

const NAMED_TABLES = { method: explanationType, model: explanationModelType } as const;

/** Which of `names` the table (explanation methods or models) knows. */
export async function listKnownNames(db: Db, kind: keyof typeof NAMED_TABLES, names: string[]): Promise<Set<string>> {
  const table = NAMED_TABLES[kind];
  const rows = await db.select({ name: table.name }).from(table).where(inArray(table.name, names));
  return new Set(rows.map((r) => r.name));
}

export async function listNames(db: Db, kind: keyof typeof NAMED_TABLES): Promise<string[]> {
  const table = NAMED_TABLES[kind];
  return (await db.select({ name: table.name }).from(table)).map((r) => r.name);
}

/** The lookup tables /api/global answers, filtered and ordered as upstream (lib/db/explanation-type.ts). */
export async function listExplanationLookups(db: Db) {
  const [explanationTypes, explanationModels, explanationScoreTypes, explanationScoreModelTypes] = await Promise.all([
    db
      .select()
      .from(explanationType)
      .where(and(ne(explanationType.name, 'human'), eq(explanationType.featured, true)))
      .orderBy(asc(explanationType.displayName)),
    db.select().from(explanationModelType).where(eq(explanationModelType.featured, true)).orderBy(asc(explanationModelType.displayName)),
    db.select().from(explanationScoreType).orderBy(asc(explanationScoreType.displayName)),
    db.select().from(explanationScoreModel).orderBy(asc(explanationScoreModel.displayName)),
  ]);
  return { explanationTypes, explanationModels, explanationScoreTypes, explanationScoreModelTypes };
}
