// The steering cache: saved outputs by their generation settings, and saving new ones. A STEERED
// output matches only with exactly the same features and strengths; a DEFAULT output (no
// steering) matches any feature set.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { steerOutput, steerOutputToNeuron, type SteerOutputType } from '../schema/index.js';

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

const settingsMatch = (key: SteerSettingsKey) => [
  eq(steerOutput.modelId, key.modelId),
  eq(steerOutput.temperature, key.temperature),
  eq(steerOutput.numTokens, key.numTokens),
  eq(steerOutput.freqPenalty, key.freqPenalty),
  eq(steerOutput.seed, key.seed),
  eq(steerOutput.strengthMultiplier, key.strengthMultiplier),
  eq(steerOutput.steerMethod, key.steerMethod),
  eq(steerOutput.version, key.version),
  ...(key.steerSpecialTokens === undefined ? [] : [eq(steerOutput.steerSpecialTokens, key.steerSpecialTokens)]),
];

const sameFeatures = (saved: SteeringFeature[], wanted: SteeringFeature[]) =>
  saved.length === wanted.length &&
  saved.every((s) =>
    wanted.some((w) => w.modelId === s.modelId && w.layer === s.layer && w.index === s.index && w.strength === s.strength),
  );

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
  const inputMatch =
    'inputTextMd5' in input
      ? eq(steerOutput.inputTextMd5, input.inputTextMd5)
      : eq(steerOutput.inputTextChatTemplateMd5, input.inputTextChatTemplateMd5);
  const candidates = await db
    .select()
    .from(steerOutput)
    .where(and(eq(steerOutput.type, type), inputMatch, ...settingsMatch(key)))
    .orderBy(steerOutput.createdAt, steerOutput.id);
  if (type === 'DEFAULT' || candidates.length === 0) return candidates[0];
  const links = await listSteeringFeatures(
    db,
    candidates.map((c) => c.id),
  );
  return candidates.find((c) => sameFeatures(links.get(c.id) ?? [], features));
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

/** Saves new outputs in one transaction; the STEERED one with its features. */
export async function saveSteerOutputs(
  db: Db,
  outputs: Array<{ row: SteerOutputInsert & { id: string }; features: SteeringFeature[] }>,
): Promise<void> {
  if (outputs.length === 0) return;
  // Two statements, whatever the number of outputs: a steering request's save is on its answer's path.
  // DEFAULT rows first: a STEERED row may point at one (connectedDefaultOutputId); the foreign key
  // is checked at the end of the statement, so one multi-row INSERT may hold both.
  const rows = [...outputs].sort((a, b) => (a.row.type === 'DEFAULT' ? -1 : 0) - (b.row.type === 'DEFAULT' ? -1 : 0));
  const links = rows.flatMap(({ row, features }) => features.map((f) => ({ ...f, steerOutputId: row.id })));
  await db.transaction(async (tx) => {
    await tx.insert(steerOutput).values(rows.map((r) => r.row));
    // Duplicates (the same feature twice at one strength) collapse, as upstream's primary key does.
    if (links.length > 0) await tx.insert(steerOutputToNeuron).values(links).onConflictDoNothing();
  });
}
