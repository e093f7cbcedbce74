// Planner statistics after bulk writes. The embedded database (PGlite) runs no autovacuum, so a
// table filled by an import or a whole-source upload would otherwise be planned as if empty (the
// explanation search then sorts every row instead of reading its HNSW index); on Postgres it saves
// waiting for autovacuum.
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

export async function analyzeTables(db: Db, tables: string[]): Promise<void> {
  for (const table of tables) await db.execute(sql.raw(`ANALYZE "${table.replaceAll('"', '""')}"`));
}
