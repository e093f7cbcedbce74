// The steering cache: saved outputs by their generation settings, and saving new ones. A STEERED
// output matches only with exactly the same features and strengths; a DEFAULT output (no
// steering) matches any feature set. The lookup and the save are on every steering request's
// path, so each is one statement of fixed text run as a prepared statement (steer-outputs-sql.ts).
import { eq, inArray } from 'drizzle-orm';
import { queryPrepared, type Db } from '../client.js';
import { steerOutput, steerOutputToNeuron, type SteerOutputType } from '../schema/index.js';
import { LOOKUP_BY_CHAT, LOOKUP_BY_TEXT, SAVE_OUTPUTS, saveParams } from './steer-outputs-sql.js';

export type SteerOutputRow = typeof steerOutput.$inferSelect;
export type SteerOutputInsert = typeof steerOutput.$inferInsert;

export interface SteerSettingsKey {
  modelId: string;
  temperature: number;
  numTokens: number;
  freqPenalty: number;
  seed: number;
  strengthMultiplier: number;
  steerMethod: string;
  version: number;
  /** Chat only (completions are saved with false). */
  steerSpecialTokens?: boolean;
}

export interface SteeringFeature {
  modelId: string;
  layer: string;
  index: string;
  strength: number;
}

/** What to look up: each type by its input's md5 (`inputTextMd5`, or `inputTextChatTemplateMd5` for chats); STEERED with its features. */
export interface SavedOutputsWanted {
  by: 'text' | 'chat';
  STEERED?: { md5: string; features: SteeringFeature[] };
  DEFAULT?: { md5: string };
}

/** The driver's row: the timestamp as text (node-postgres through drizzle) or a Date. */
type RawRow = Omit<SteerOutputRow, 'createdAt'> & { createdAt: string | Date };
// Timestamps hold UTC without a zone, as Prisma writes them.
const rowOf = ({ createdAt, ...row }: RawRow): SteerOutputRow => ({
  ...row,
  createdAt: createdAt instanceof Date ? createdAt : new Date(`${createdAt.replace(' ', 'T')}Z`),
});

/**
 * The oldest saved output of each wanted type for these settings, in one statement: for STEERED,
 * only one made with exactly `features` (same length, every saved feature among them).
 */
export async function findSavedOutputs(
  db: Db,
  key: SteerSettingsKey,
  wanted: SavedOutputsWanted,
): Promise<{ STEERED?: SteerOutputRow; DEFAULT?: SteerOutputRow }> {
  const features = wanted.STEERED?.features ?? [];
  const rows = await queryPrepared<RawRow>(
    db,
    wanted.by === 'chat' ? 'steer_lookup_chat' : 'steer_lookup_text',
    wanted.by === 'chat' ? LOOKUP_BY_CHAT : LOOKUP_BY_TEXT,
    [
      wanted.STEERED?.md5 ?? null,
      wanted.DEFAULT?.md5 ?? null,
      key.modelId,
      key.temperature,
      key.numTokens,
      key.freqPenalty,
      key.seed,
      key.strengthMultiplier,
      key.steerMethod,
      key.version,
      key.steerSpecialTokens ?? null,
      features.length,
      features.map((f) => f.modelId),
      features.map((f) => f.layer),
      features.map((f) => f.index),
      features.map((f) => f.strength),
    ],
  );
  const found: { STEERED?: SteerOutputRow; DEFAULT?: SteerOutputRow } = {};
  for (const row of rows) found[row.type] = rowOf(row);
  return found;
}

/**
 * The oldest saved output of `type` for these settings and input (`inputTextMd5` for completions,
 * `inputTextChatTemplateMd5` for chats); for STEERED, only one made with exactly `features`.
 */
export async function findSavedOutput(
  db: Db,
  type: SteerOutputType,
  key: SteerSettingsKey,
  input: { inputTextMd5: string } | { inputTextChatTemplateMd5: string },
  features: SteeringFeature[],
): Promise<SteerOutputRow | undefined> {
  const [by, md5] = 'inputTextMd5' in input ? (['text', input.inputTextMd5] as const) : (['chat', input.inputTextChatTemplateMd5] as const);
  const found = await findSavedOutputs(db, key, type === 'STEERED' ? { by, STEERED: { md5, features } } : { by, DEFAULT: { md5 } });
  return found[type];
}

/** The features each output was steered with. */
export async function listSteeringFeatures(db: Db, outputIds: string[]): Promise<Map<string, SteeringFeature[]>> {
  const byOutput = new Map<string, SteeringFeature[]>();
  if (outputIds.length === 0) return byOutput;
  const rows = await db.select().from(steerOutputToNeuron).where(inArray(steerOutputToNeuron.steerOutputId, outputIds));
  for (const { steerOutputId, ...feature } of rows) byOutput.set(steerOutputId, [...(byOutput.get(steerOutputId) ?? []), feature]);
  return byOutput;
}

export async function findSteerOutput(db: Db, id: string): Promise<SteerOutputRow | undefined> {
  const [row] = await db.select().from(steerOutput).where(eq(steerOutput.id, id)).limit(1);
  return row;
}

/**
 * Saves new outputs, the STEERED one with its features, in one statement (its own transaction,
 * one round trip). Its commit does not wait for the WAL to reach disk: saved outputs are a cache,
 * and a Postgres crash may forget only the last moments' (a share link given then would not load).
 */
export async function saveSteerOutputs(
  db: Db,
  outputs: Array<{ row: SteerOutputInsert & { id: string }; features: SteeringFeature[] }>,
): Promise<void> {
  if (outputs.length === 0) return;
  await queryPrepared(db, 'steer_save', SAVE_OUTPUTS, saveParams(outputs), { write: true });
}
