// The steering cache's two statements on every steering request's path, as fixed texts for named
// prepared statements (queryPrepared): lists go as arrays read by unnest (the wanted features) or as
// JSON read by json_populate_recordset (saved rows), so the text never depends on how many there are.
import { getTableColumns } from 'drizzle-orm';
import { steerOutput } from '../schema/index.js';
import type { SteerOutputInsert, SteerOutputRow, SteeringFeature } from './steer-outputs.js';

// Every SteerOutput column (drizzle keys are the column names here), as the lookup returns rows.
const OUTPUT_COLUMNS = Object.keys(getTableColumns(steerOutput)) as Array<keyof SteerOutputRow>;
const quoted = (names: string[], prefix = '') => names.map((n) => `${prefix}"${n}"`).join(', ');

// $1/$2: the STEERED and DEFAULT input md5s (null: not wanted); $3–$11: the settings ($11, steerSpecialTokens,
// null for completions: not compared); $12: the number of wanted features; $13–$16: their modelIds,
// layers, indexes and strengths. A STEERED output matches when it has as many features as wanted and
// each of them is among the wanted (what the JS comparison did before). The oldest of each type wins.
// One LATERAL lookup per wanted type, so that type and md5 are in the index condition of the
// steering index even in the prepared statement's generic plan (a join with the VALUES let the
// planner scan every saved output of the model and filter on type and md5 afterwards).
const lookup = (md5Column: string) => `SELECT ${quoted(OUTPUT_COLUMNS, 'o.')}
FROM (VALUES ('STEERED'::"SteerOutputType", $1::text), ('DEFAULT'::"SteerOutputType", $2::text)) AS wanted ("type", "md5")
CROSS JOIN LATERAL (
  SELECT * FROM "SteerOutput" o
  WHERE o."type" = wanted."type" AND o."${md5Column}" = wanted."md5"
    AND o."modelId" = $3 AND o."temperature" = $4::float8 AND o."numTokens" = $5::int4 AND o."freqPenalty" = $6::float8
    AND o."seed" = $7::float8 AND o."strengthMultiplier" = $8::float8 AND o."steerMethod" = $9 AND o."version" = $10::int4
    AND ($11::boolean IS NULL OR o."steerSpecialTokens" = $11::boolean)
    AND (o."type" = 'DEFAULT' OR (
      (SELECT count(*) FROM "SteerOutputToNeuron" l WHERE l."steerOutputId" = o."id") = $12::int8
      AND NOT EXISTS (
        SELECT 1 FROM "SteerOutputToNeuron" l
        WHERE l."steerOutputId" = o."id" AND NOT EXISTS (
          SELECT 1 FROM unnest($13::text[], $14::text[], $15::text[], $16::float8[]) AS w ("modelId", "layer", "index", "strength")
          WHERE w."modelId" = l."modelId" AND w."layer" = l."layer" AND w."index" = l."index" AND w."strength" = l."strength"))))
  ORDER BY o."createdAt", o."id"
  LIMIT 1
) AS o`;
export const LOOKUP_BY_TEXT = lookup('inputTextMd5');
export const LOOKUP_BY_CHAT = lookup('inputTextChatTemplateMd5');

/** The columns a save writes (createdAt takes its default). */
const SAVED = OUTPUT_COLUMNS.filter((column): column is keyof SteerOutputInsert => column !== 'createdAt');

// $1: the outputs, $2: their features, each a JSON array of rows read as the table's row type (JSON
// costs one native JSON.stringify; text arrays made the driver escape every long logprobs string).
// A STEERED row's features point at it, and a STEERED chat row at its DEFAULT
// (connectedDefaultOutputId): foreign keys are checked at the end of the statement, when every row
// is in. Duplicate features (the same feature twice at one strength) collapse, as upstream's
// primary key does. synchronous_commit is set off for this transaction only (see
// saveSteerOutputs), inside the statement so that it costs no round trip.
export const SAVE_OUTPUTS = `WITH saved AS (
  INSERT INTO "SteerOutput" (${quoted(SAVED)})
  SELECT ${quoted(SAVED, 'o.')} FROM json_populate_recordset(NULL::"SteerOutput", $1::json) AS o
    CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
  RETURNING 1
)
INSERT INTO "SteerOutputToNeuron" ("modelId", "layer", "index", "strength", "steerOutputId")
SELECT l."modelId", l."layer", l."index", l."strength", l."steerOutputId" FROM json_populate_recordset(NULL::"SteerOutputToNeuron", $2::json) AS l
ON CONFLICT DO NOTHING`;

// Columns with a database default, written as that default when a row leaves them out.
const DEFAULTS: Partial<SteerOutputInsert> = { steerSpecialTokens: false, steerMethod: 'SIMPLE_ADDITIVE', version: 1 };

/** SAVE_OUTPUTS's two parameters: the output rows and the feature rows, as JSON. */
export function saveParams(outputs: Array<{ row: SteerOutputInsert & { id: string }; features: SteeringFeature[] }>): [string, string] {
  const rows = outputs.map(({ row }) => Object.fromEntries(SAVED.map((column) => [column, row[column] ?? DEFAULTS[column] ?? null])));
  const links = outputs.flatMap(({ row, features }) => features.map((f) => ({ ...f, steerOutputId: row.id })));
  return [JSON.stringify(rows), JSON.stringify(links)];
}
