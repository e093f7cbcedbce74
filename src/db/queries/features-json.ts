// Features as JSON text built by Postgres, for answers that carry many whole features at once
// (search-all's 50 results, upstream getNeuronsForSearcher): each Neuron row with its strongest
// activation and its explanations (with author name and votes). Reading those rows through the
// driver and drizzle, then serializing them again, cost several times the query itself; Postgres
// writes the JSON in one pass and the server splices the text into its answer unparsed.
// Field names and order follow the drizzle schema (getTableColumns), so the JSON matches what the
// drizzle-based reads return (json-fields.ts).
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { activation, explanation, neuron } from '../schema/index.js';
import { featureKeyIn, type FeatureKey } from './features.js';
import { jsonFields } from './json-fields.js';

// Built once: the column lists come from the schema, not from input.
const NEURON_FIELDS = jsonFields(neuron, '"Neuron"');
const ACTIVATION_FIELDS = `${jsonFields(activation, 'a')}, 'source', a."layer"`;
const EXPLANATION_FIELDS = `${jsonFields(explanation, 'e', { exclude: ['embedding'] })}, 'source', e."layer", 'author', CASE WHEN u."id" IS NULL THEN NULL ELSE json_build_object('name', u."name") END, 'votes', '[]'::json`;

export interface FeatureJsonRow {
  layer: string;
  index: string;
  visibility: 'PUBLIC' | 'UNLISTED' | 'PRIVATE' | null;
  creatorId: string | null;
  frac_nonzero: number;
  /** The Neuron row as a JSON object. */
  neuron: string;
  /** JSON arrays. */
  activations: string;
  explanations: string;
}

/**
 * These features with, for each, its `activationsPerFeature` strongest activations and all
 * its explanations (scoreV2 then scoreV1 descending, nulls first as Prisma's desc). Only existing
 * features come back; access is the caller's to check (visibility and creatorId are returned).
 */
export async function listFeaturesJson(db: Db, keys: FeatureKey[], activationsPerFeature: number): Promise<FeatureJsonRow[]> {
  if (keys.length === 0) return [];
  const raw = (text: string): SQL => sql.raw(text);
  return queryRows<FeatureJsonRow>(
    db,
    sql`SELECT "Neuron"."layer", "Neuron"."index", "Neuron"."visibility", "Neuron"."creatorId", "Neuron"."frac_nonzero",
      json_build_object(${raw(NEURON_FIELDS)})::text AS "neuron",
      (SELECT coalesce(json_agg(json_build_object(${raw(ACTIVATION_FIELDS)}) ORDER BY a."maxValue" DESC, a."id"), '[]')::text
         FROM (SELECT * FROM "Activation" x
                WHERE x."modelId" = "Neuron"."modelId" AND x."layer" = "Neuron"."layer" AND x."index" = "Neuron"."index"
                ORDER BY x."maxValue" DESC, x."id" LIMIT ${activationsPerFeature}) a) AS "activations",
      (SELECT coalesce(json_agg(json_build_object(${raw(EXPLANATION_FIELDS)})
                ORDER BY e."scoreV2" DESC NULLS FIRST, e."scoreV1" DESC, e."createdAt", e."id"), '[]')::text
         FROM "Explanation" e LEFT JOIN "User" u ON u."id" = e."authorId"
        WHERE e."modelId" = "Neuron"."modelId" AND e."layer" = "Neuron"."layer" AND e."index" = "Neuron"."index") AS "explanations"
    FROM "Neuron"
    WHERE ${featureKeyIn(neuron, keys)}`,
  );
}
