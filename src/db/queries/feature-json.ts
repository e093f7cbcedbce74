// GET /api/feature/{modelId}/{layer}/{index} in one round trip: the access data of the model,
// source set, source and feature, and the whole answer as JSON text built by Postgres (the
// neuron, its model, source and set, creator, lists, activations, explanations with scores).
// The four-query read (findFeatureContext, then activations, explanations and their scores, lists)
// cost ~14 ms on PGlite, most of it in the driver and drizzle turning rows into objects that were
// serialized again at once. The key order is the one the route's response schema writes
// (fast-json-stringify: the schema's keys, then the row's other columns): test/feature-json.test.ts
// compares the bytes with the multi-query read.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import type { Visibility } from '../schema/enums.js';
import { activation, explanationScore, list, listsOnNeurons, model, neuron, source, sourceSet } from '../schema/index.js';
import type { FeatureKey } from './features.js';
import { jsonFields } from './json-fields.js';

// Upstream blanks these on the feature page (they are computed per request elsewhere).
const BLANKED = Object.fromEntries(
  ['correlated_features_indices', 'correlated_features_pearson', 'correlated_features_l1'].map((k) => [k, `'[]'::json`]),
);

const ACTIVATIONS = `(SELECT coalesce(json_agg(json_build_object(${jsonFields(activation, 'a')}, 'source', a."layer") ORDER BY a."maxValue" DESC, a."id"), '[]')
   FROM "Activation" a WHERE a."modelId" = n."modelId" AND a."layer" = n."layer" AND a."index" = n."index")`;

const SCORES = `(SELECT coalesce(json_agg(json_build_object(${jsonFields(explanationScore, 'sc')}) ORDER BY sc."createdAt", sc."id"), '[]')
   FROM "ExplanationScore" sc WHERE sc."explanationId" = e."id")`;

// triggeredByUser as the multi-query read makes it: only when both the id and the name are non-empty.
const EXPLANATIONS = `(SELECT coalesce(json_agg(json_build_object(
     'id', e."id", 'description', e."description", 'explanationModelName', e."explanationModelName", 'typeName', e."typeName",
     'triggeredByUser', CASE WHEN e."triggeredByUserId" <> '' AND tu."name" <> '' THEN json_build_object('id', e."triggeredByUserId", 'name', tu."name") END,
     'scores', ${SCORES},
     'modelId', n."modelId", 'layer', n."layer", 'source', n."layer", 'index', n."index")
   ORDER BY e."scoreV2" DESC, e."scoreV1" DESC, e."createdAt", e."id"), '[]')
   FROM "Explanation" e LEFT JOIN "User" tu ON tu."id" = e."triggeredByUserId"
  WHERE e."modelId" = n."modelId" AND e."layer" = n."layer" AND e."index" = n."index")`;

const LISTS = `(SELECT coalesce(json_agg(json_build_object(${jsonFields(listsOnNeurons, 'ln')}, 'list', json_build_object(${jsonFields(list, 'l')}))
     ORDER BY ln."addedAt", ln."listId"), '[]')
   FROM "ListsOnNeurons" ln JOIN "List" l ON l."id" = ln."listId"
  WHERE ln."modelId" = n."modelId" AND ln."layer" = n."layer" AND ln."index" = n."index")`;

// The schema declares every Neuron column but `visibility`, which therefore comes last.
const FEATURE = `json_build_object(${jsonFields(neuron, 'n', { exclude: ['visibility'], replace: BLANKED })},
  'model', json_build_object(${jsonFields(model, 'm')}),
  'source', json_build_object(${jsonFields(source, 's')}),
  'sourceSet', CASE WHEN ss."name" IS NULL THEN NULL ELSE json_build_object(${jsonFields(sourceSet, 'ss')}) END,
  'creator', CASE WHEN cu."id" IS NULL THEN NULL ELSE json_build_object('name', cu."name") END,
  'lists', ${LISTS}, 'comments', '[]'::json, 'activations', ${ACTIVATIONS}, 'explanations', ${EXPLANATIONS},
  'visibility', n."visibility")::text`;

/** Visibility and owner of a model, source set or source (both never null on those tables). */
export interface OwnedRow {
  visibility: Visibility;
  creatorId: string;
}

export interface FeatureJsonContext {
  model: OwnedRow;
  /** Undefined when the model has no such source (or the source no set). */
  source: OwnedRow | undefined;
  sourceSet: OwnedRow | undefined;
  /** Undefined when the feature does not exist; a feature's visibility is null when it inherits its source's. */
  neuron: { visibility: Visibility | null; creatorId: string | null } | undefined;
  /** The whole answer, when the feature exists. */
  json: string | undefined;
}

interface Row {
  modelVisibility: Visibility;
  modelCreatorId: string;
  hasSource: boolean;
  sourceVisibility: Visibility;
  sourceCreatorId: string;
  hasSet: boolean;
  setVisibility: Visibility;
  setCreatorId: string;
  hasNeuron: boolean;
  neuronVisibility: Visibility | null;
  neuronCreatorId: string | null;
  json: string | null;
}

/** Undefined when the model does not exist. Access is the caller's to check, before using `json`. */
export async function findFeatureJson(db: Db, key: FeatureKey): Promise<FeatureJsonContext | undefined> {
  const [row] = await queryRows<Row>(
    db,
    sql`SELECT m."visibility" AS "modelVisibility", m."creatorId" AS "modelCreatorId",
        s."id" IS NOT NULL AS "hasSource", s."visibility" AS "sourceVisibility", s."creatorId" AS "sourceCreatorId",
        ss."name" IS NOT NULL AS "hasSet", ss."visibility" AS "setVisibility", ss."creatorId" AS "setCreatorId",
        n."index" IS NOT NULL AS "hasNeuron", n."visibility" AS "neuronVisibility", n."creatorId" AS "neuronCreatorId",
        CASE WHEN n."index" IS NULL OR s."id" IS NULL THEN NULL ELSE ${sql.raw(FEATURE)} END AS "json"
      FROM "Model" m
      LEFT JOIN "Source" s ON s."modelId" = m."id" AND s."id" = ${key.layer}
      LEFT JOIN "SourceSet" ss ON ss."modelId" = m."id" AND ss."name" = s."setName"
      LEFT JOIN "Neuron" n ON n."modelId" = m."id" AND n."layer" = ${key.layer} AND n."index" = ${key.index}
      LEFT JOIN "User" cu ON cu."id" = n."creatorId"
      WHERE m."id" = ${key.modelId}
      LIMIT 1`,
  );
  if (!row) return undefined;
  return {
    model: { visibility: row.modelVisibility, creatorId: row.modelCreatorId },
    source: row.hasSource ? { visibility: row.sourceVisibility, creatorId: row.sourceCreatorId } : undefined,
    sourceSet: row.hasSet ? { visibility: row.setVisibility, creatorId: row.setCreatorId } : undefined,
    neuron: row.hasNeuron ? { visibility: row.neuronVisibility, creatorId: row.neuronCreatorId } : undefined,
    json: row.json ?? undefined,
  };
}
