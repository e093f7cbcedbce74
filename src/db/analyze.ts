// Planner statistics after bulk writes. The embedded database (PGlite) runs no autovacuum, so a
// table filled by an import or a whole-source upload would otherwise be planned as if empty (the
// explanation search then sorts every row instead of reading its HNSW index); on Postgres it saves
// waiting for autovacuum.
import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Db } from './client.js';

export async function analyzeTables(db: Db, tables: string[]): Promise<void> {
  for (const table of tables) await db.execute(sql.raw(`ANALYZE "${table.replaceAll('"', '""')}"`));
}

/** The tables bulk writes fill: the ones whose plans go wrong without statistics. */
const BULK_TABLES = ['Neuron', 'Activation', 'Explanation', 'ExplanationScore'];

/**
 * ANALYZEs the bulk tables that hold rows but have never been analyzed, and returns their names.
 * For embedded databases filled before imports analyzed (or by writes that do not): run at start.
 */
export async function analyzeNeverAnalyzed(db: Db): Promise<string[]> {
  const stale: string[] = [];
  for (const table of BULK_TABLES) {
    const [row] = await queryRows<{ has_rows: boolean; analyzed: boolean }>(
      db,
      sql`SELECT EXISTS (SELECT 1 FROM ${sql.identifier(table)}) AS has_rows,
                 EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = 'public' AND tablename = ${table}) AS analyzed`,
    );
    if (row?.has_rows && !row.analyzed) stale.push(table);
  }
  await analyzeTables(db, stale);
  return stale;
}

/** At start: the embedded database's never-analyzed bulk tables (Postgres has autovacuum for that). */
export async function analyzeAtStart(database: Database): Promise<string[]> {
  return database.kind === 'pglite' ? analyzeNeverAnalyzed(database.db) : [];
}
