// A digest of every table the importer writes, to compare a database with a clean import's.
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../src/db/client.js';

export const IMPORTED_TABLES = [
  'Model',
  'SourceRelease',
  'SourceSet',
  'Source',
  'Neuron',
  'Activation',
  'Explanation',
  'ExplanationType',
  'ExplanationModelType',
  'ExplanationScoreType',
  'ExplanationScoreModel',
  'EvalType',
];

/** Per table: row count and an md5 of all rows (timestamps that default to now() left out). */
export async function tableDigest(database: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of IMPORTED_TABLES) {
    const [row] = await queryRows<{ n: number; digest: string }>(
      database.db,
      sql.raw(`SELECT count(*)::int AS n, md5(coalesce(string_agg(j, '|' ORDER BY j), '')) AS digest
        FROM (SELECT (to_jsonb(t) - 'createdAt' - 'updatedAt')::text AS j FROM "${table}" t) s`),
    );
    out[table] = `${row!.n} rows, ${row!.digest}`;
  }
  return out;
}
