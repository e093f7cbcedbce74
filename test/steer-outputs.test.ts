// The steering cache's statements on the database itself: the one-statement lookup matches a
// STEERED output only with exactly its feature set (any order), shares DEFAULT outputs, returns the
// oldest; the one-statement save writes outputs and features together (a STEERED chat output may
// point at a DEFAULT saved beside it); both it and the rate-limit count turn synchronous_commit off
// for their own transaction only.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/client.js';
import { countRequest } from '../src/db/queries/rate-limits.js';
import { LOOKUP_BY_TEXT } from '../src/db/queries/steer-outputs-sql.js';
import {
  findSavedOutput,
  findSavedOutputs,
  listSteeringFeatures,
  saveSteerOutputs,
  type SteeringFeature,
  type SteerSettingsKey,
} from '../src/db/queries/steer-outputs.js';
import { openTestDatabase } from './helper.js';
import { seedSource } from './fixtures/seed.js';

const key: SteerSettingsKey = {
  modelId: 'gpt2-small',
  temperature: 0.5,
  numTokens: 16,
  freqPenalty: 1,
  seed: 16,
  strengthMultiplier: 4,
  steerMethod: 'SIMPLE_ADDITIVE',
  version: 2,
};
const f = (index: number, strength: number): SteeringFeature => ({
  modelId: 'gpt2-small',
  layer: '6-res-jb',
  index: String(index),
  strength,
});
const row = (id: string, type: 'STEERED' | 'DEFAULT', extra: object = {}) => ({
  id,
  type,
  ...key,
  inputText: 'The most iconic structure on Earth is',
  inputTextMd5: 'md5-of-prompt',
  outputText: `output of ${id}`,
  logprobs: JSON.stringify([{ token: ' the', logprob: -0.25, topLogprobs: null }]),
  creatorId: null,
  ...extra,
});

describe('saved steering outputs', () => {
  let db: Db;
  let drop: () => Promise<void>;
  const show = async (target: Pick<Db, 'execute'>) =>
    ((await target.execute(sql`SHOW synchronous_commit`)) as unknown as { rows: Array<{ synchronous_commit: string }> }).rows[0]!
      .synchronous_commit;

  beforeAll(async () => {
    const opened = await openTestDatabase();
    db = opened.database.db;
    drop = opened.drop;
    await seedSource(db, { features: 4, activationsPerFeature: 0 });
  });
  afterAll(async () => drop?.());

  it('saves outputs with their features in one statement and finds the STEERED one only with exactly its features', async () => {
    const before = Date.now();
    await saveSteerOutputs(db, [
      { row: row('a-steered', 'STEERED'), features: [f(1, 40), f(2, -10.125), f(1, 40)] },
      { row: row('a-default', 'DEFAULT'), features: [] },
    ]);
    // The duplicate feature collapsed, as upstream's primary key does.
    expect((await listSteeringFeatures(db, ['a-steered'])).get('a-steered')).toEqual(expect.arrayContaining([f(1, 40), f(2, -10.125)]));
    expect((await listSteeringFeatures(db, ['a-steered'])).get('a-steered')).toHaveLength(2);

    const found = await findSavedOutputs(db, key, {
      by: 'text',
      STEERED: { md5: 'md5-of-prompt', features: [f(2, -10.125), f(1, 40)] },
      DEFAULT: { md5: 'md5-of-prompt' },
    });
    expect(found.STEERED).toMatchObject({ id: 'a-steered', outputText: 'output of a-steered', steerSpecialTokens: false, ...key });
    expect(found.DEFAULT).toMatchObject({ id: 'a-default', type: 'DEFAULT', logprobs: row('x', 'DEFAULT').logprobs });
    expect(found.STEERED!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(found.STEERED!.createdAt.getTime() - before)).toBeLessThan(60_000);

    // Not a subset, a superset, another strength, or the same input under other settings.
    for (const features of [[f(1, 40)], [f(1, 40), f(2, -10.125), f(3, 1)], [f(1, 40), f(2, -10)], [f(1, 40), f(1, 40), f(2, -10.125)]]) {
      const other = await findSavedOutputs(db, key, {
        by: 'text',
        STEERED: { md5: 'md5-of-prompt', features },
        DEFAULT: { md5: 'md5-of-prompt' },
      });
      expect(other.STEERED).toBeUndefined();
      expect(other.DEFAULT?.id).toBe('a-default');
    }
    expect(await findSavedOutput(db, 'DEFAULT', { ...key, seed: 17 }, { inputTextMd5: 'md5-of-prompt' }, [])).toBeUndefined();
    expect(await findSavedOutput(db, 'DEFAULT', key, { inputTextChatTemplateMd5: 'md5-of-prompt' }, [])).toBeUndefined();
  });

  it('returns the oldest of several matching outputs', async () => {
    await saveSteerOutputs(db, [{ row: row('b-steered-1', 'STEERED', { inputTextMd5: 'md5-b' }), features: [f(3, 2)] }]);
    await saveSteerOutputs(db, [{ row: row('b-steered-2', 'STEERED', { inputTextMd5: 'md5-b' }), features: [f(3, 2)] }]);
    expect((await findSavedOutput(db, 'STEERED', key, { inputTextMd5: 'md5-b' }, [f(3, 2)]))?.id).toBe('b-steered-1');
  });

  it('saves a STEERED chat output pointing at the DEFAULT saved beside it, and looks chats up by template and special tokens', async () => {
    const chat = {
      inputTextChatTemplate: '[]',
      inputTextChatTemplateMd5: 'md5-chat',
      outputTextChatTemplate: '[]',
      steerSpecialTokens: true,
    };
    await saveSteerOutputs(db, [
      { row: row('c-steered', 'STEERED', { ...chat, connectedDefaultOutputId: 'c-default' }), features: [f(0, 5)] },
      { row: row('c-default', 'DEFAULT', { ...chat, outputText: 'a "quoted" \\ back\nslash, {braces}, 🙂 and ü' }), features: [] },
    ]);
    const wanted = { by: 'chat' as const, STEERED: { md5: 'md5-chat', features: [f(0, 5)] }, DEFAULT: { md5: 'md5-chat' } };
    const found = await findSavedOutputs(db, { ...key, steerSpecialTokens: true }, wanted);
    expect(found.STEERED).toMatchObject({ id: 'c-steered', connectedDefaultOutputId: 'c-default', steerSpecialTokens: true });
    expect(found.DEFAULT).toMatchObject({ id: 'c-default', outputText: 'a "quoted" \\ back\nslash, {braces}, 🙂 and ü' });
    expect(await findSavedOutputs(db, { ...key, steerSpecialTokens: false }, wanted)).toEqual({});
  });

  it("finds outputs through the steering index by type and input md5, also in the prepared statement's generic plan", async () => {
    // Many saved outputs of one model: a plan that reached type and md5 only after the index scan
    // would read all of them on every steering request.
    const many = Array.from({ length: 600 }, (_, i) => ({
      row: row(`e-${i}`, i % 2 ? 'STEERED' : 'DEFAULT', { inputTextMd5: `md5-e-${i % 150}`, seed: i }),
      features: i % 2 ? [f(i % 4, 1)] : [],
    }));
    await saveSteerOutputs(db, many);
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`ANALYZE "SteerOutput"`);
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`PREPARE lookup_plan_check AS ${LOOKUP_BY_TEXT}`));
      const explained = (await tx.execute(
        sql.raw(`EXPLAIN (FORMAT JSON) EXECUTE lookup_plan_check('md5-e-7', 'md5-e-7', 'gpt2-small', 0.5, 16, 1, 7, 4, 'SIMPLE_ADDITIVE', 2, NULL, 1,
          ARRAY['gpt2-small'], ARRAY['6-res-jb'], ARRAY['3'], ARRAY[1]::float8[])`),
      )) as unknown as { rows: Array<Record<string, unknown>> };
      await tx.execute(sql`DEALLOCATE lookup_plan_check`);
      return JSON.stringify(Object.values(explained.rows[0]!)[0]);
    });
    const conditions = [...plan.matchAll(/"Index Cond":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    expect(
      conditions.some((c) => c.includes('inputTextMd5') && c.includes('type')),
      plan,
    ).toBe(true);
    const found = await findSavedOutputs(
      db,
      { ...key, seed: 7 },
      { by: 'text', STEERED: { md5: 'md5-e-7', features: [f(3, 1)] }, DEFAULT: { md5: 'md5-e-7' } },
    );
    expect(found.STEERED?.id).toBe('e-7');
    expect(found.DEFAULT).toBeUndefined();
  });

  it('turns synchronous_commit off for the transaction of a save or a rate-limit count only', async () => {
    const session = await show(db);
    await db.transaction(async (tx) => {
      expect(await show(tx)).toBe(session);
      await countRequest(tx as unknown as Db, 'user:x', 'steer', new Date('2026-01-01T10:00:00Z'));
      expect(await show(tx)).toBe('off');
    });
    await db.transaction(async (tx) => {
      await saveSteerOutputs(tx as unknown as Db, [{ row: row('d-default', 'DEFAULT', { inputTextMd5: 'md5-d' }), features: [] }]);
      expect(await show(tx)).toBe('off');
    });
    expect(await show(db)).toBe(session);
    expect(await countRequest(db, 'user:x', 'steer', new Date('2026-01-01T10:00:00Z'))).toBe(2);
  });
});
