// GET /api/feature/{modelId}/{layer}/{index} in one round trip: the access data of the model,
// source set, source and feature, and the whole answer as JSON text built by Postgres (the
// neuron, its model, source and set, creator, lists, activations, explanations with scores).
// The four-query read (findFeatureContext, then activations, explanations and their scores, lists)
// cost ~14 ms on PGlite, most of it in the driver and drizzle turning rows into objects that were
// serialized again at once. The key order is the one the route's response schema writes
// (fast-json-stringify: the schema's keys, then the row's other columns): test/feature-json.test.ts
// compares the bytes with the multi-query read.
import { sql } from 'drizzle-orm';
import { queryRowsPrepared, type Db } from '../client.js';
import type { Visibility } from '../schema/enums.js';
import { activation, explanationScore, list, listsOnNeurons, model, neuron, source, sourceSet } from '../schema/index.js';
import type { FeatureKey } from './features.js';
import { jsonColumns } from './json-fields.js';

// Upstream blanks these on the feature page (they are computed per request elsewhere).
const BLANKED = Object.fromEntries(
  ['correlated_features_indices', 'correlated_features_pearson', 'correlated_features_l1'].map((k) => [k, `'[]'::json`]),
);

/** `json_agg` of rows in order, written compactly: a JSON array of `select`'s rows, `[]` when none. */
const jsonArray = (select: string, from: string, where: string, orderBy: string) =>
  `(SELECT coalesce(array_to_json(array_agg(row_to_json(r) ORDER BY ${orderBy})), '[]'::json) FROM ${from}, LATERAL (SELECT ${select}) r WHERE ${where})`;
const jsonObject = (select: string) => `(SELECT row_to_json(r) FROM (SELECT ${select}) r)`;
/**
 * jsonArray as text, for the activations (most of the answer): string_agg writes each row once,
 * where array_to_json(array_agg(…)) copies the rows into an array and writes them all again (60
 * activations × 64 tokens: 1.4 ms against 2.3 ms). Text and not json: a cast to json would parse
 * it all to check it.
 */
const jsonArrayText = (select: string, from: string, where: string, orderBy: string) =>
  `(SELECT '[' || coalesce(string_agg(row_to_json(r)::text, ',' ORDER BY ${orderBy}), '') || ']' FROM ${from}, LATERAL (SELECT ${select}) r WHERE ${where})`;

const ACTIVATIONS = jsonArrayText(
  `${jsonColumns(activation, 'a')}, a."layer" AS "source"`,
  `"Activation" a`,
  `a."modelId" = n."modelId" AND a."layer" = n."layer" AND a."index" = n."index"`,
  `a."maxValue" DESC, a."id"`,
);

const SCORES = jsonArray(
  jsonColumns(explanationScore, 'sc'),
  `"ExplanationScore" sc`,
  `sc."explanationId" = e."id"`,
  `sc."createdAt", sc."id"`,
);

// triggeredByUser as the multi-query read makes it: only when both the id and the name are non-empty.
const EXPLANATIONS = jsonArray(
  `e."id" AS "id", e."description" AS "description", e."explanationModelName" AS "explanationModelName", e."typeName" AS "typeName",
   CASE WHEN e."triggeredByUserId" <> '' AND tu."name" <> '' THEN ${jsonObject(`e."triggeredByUserId" AS "id", tu."name" AS "name"`)} END AS "triggeredByUser",
   ${SCORES} AS "scores", n."modelId" AS "modelId", n."layer" AS "layer", n."layer" AS "source", n."index" AS "index"`,
  `"Explanation" e LEFT JOIN "User" tu ON tu."id" = e."triggeredByUserId"`,
  `e."modelId" = n."modelId" AND e."layer" = n."layer" AND e."index" = n."index"`,
  `e."scoreV2" DESC, e."scoreV1" DESC, e."createdAt", e."id"`,
);

const LISTS = jsonArray(
  `${jsonColumns(listsOnNeurons, 'ln')}, ${jsonObject(jsonColumns(list, 'l'))} AS "list"`,
  `"ListsOnNeurons" ln JOIN "List" l ON l."id" = ln."listId"`,
  `ln."modelId" = n."modelId" AND ln."layer" = n."layer" AND ln."index" = n."index"`,
  `ln."addedAt", ln."listId"`,
);

// The schema declares every Neuron column but `visibility`, which therefore comes last.
// saelensConfig (jsonb) is left null here: Postgres writes jsonb with spaces, so the caller
// splices in the compact form of `saelensConfig`, returned beside. The object is written up to
// "comments" by row_to_json, and the rest appended as text (the activations are text, above).
const FEATURE = `(SELECT left(row_to_json(f)::text, -1) || ',"activations":' || ${ACTIVATIONS} || ',"explanations":' || ${EXPLANATIONS}::text
    || ',"visibility":' || coalesce(to_json(n."visibility")::text, 'null') || '}'
  FROM (SELECT ${jsonColumns(neuron, 'n', { exclude: ['visibility'], replace: BLANKED })},
  ${jsonObject(jsonColumns(model, 'm'))} AS "model",
  ${jsonObject(jsonColumns(source, 's', { replace: { saelensConfig: 'NULL::json' } }))} AS "source",
  CASE WHEN ss."name" IS NULL THEN NULL ELSE ${jsonObject(jsonColumns(sourceSet, 'ss'))} END AS "sourceSet",
  CASE WHEN cu."id" IS NULL THEN NULL ELSE ${jsonObject('cu."name" AS "name"')} END AS "creator",
  ${LISTS} AS "lists", '[]'::json AS "comments") f)`;

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
  /** The whole answer, when the feature exists, with `source.saelensConfig` written as null. */
  json: string | undefined;
  /** The source's saelensConfig as Postgres writes jsonb (with spaces); null when none. */
  saelensConfig: string | null;
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
  saelensConfig: string | null;
}

/** Undefined when the model does not exist. Access is the caller's to check, before using `json`. */
export async function findFeatureJson(db: Db, key: FeatureKey): Promise<FeatureJsonContext | undefined> {
  const [row] = await queryRowsPrepared<Row>(
    db,
    'feature-json',
    sql`SELECT m."visibility" AS "modelVisibility", m."creatorId" AS "modelCreatorId",
        s."id" IS NOT NULL AS "hasSource", s."visibility" AS "sourceVisibility", s."creatorId" AS "sourceCreatorId",
        ss."name" IS NOT NULL AS "hasSet", ss."visibility" AS "setVisibility", ss."creatorId" AS "setCreatorId",
        n."index" IS NOT NULL AS "hasNeuron", n."visibility" AS "neuronVisibility", n."creatorId" AS "neuronCreatorId",
        CASE WHEN n."index" IS NULL OR s."id" IS NULL THEN NULL ELSE ${sql.raw(FEATURE)} END AS "json", s."saelensConfig"::text AS "saelensConfig"
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
    saelensConfig: row.saelensConfig,
  };
}
