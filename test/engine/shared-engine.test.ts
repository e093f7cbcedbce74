// One engine per machine: two mirror instances with `builtin` on one models folder (as two server
// processes on one machine) run one engine between them. The first owns it; the second's requests
// are computed by the first's engine (its status shows the model the second asked for loaded);
// when the owner goes away, the second takes over within a few seconds and answers again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model } from '../../src/db/schema/index.js';
import { seedSource } from '../fixtures/seed.js';
import { buildAppOn, openTestDatabase, type TestContext } from '../helper.js';
import { makeModelsDir } from './models-dir.js';

let models: ReturnType<typeof makeModelsDir>;
let a: TestContext;
let b: TestContext;
let drop: () => Promise<void>;
const engineFile = () => join(models.dir, '.engine', 'engine.json');
const address = () => JSON.parse(readFileSync(engineFile(), 'utf8')) as { url: string; secret: string; pid: number };

beforeAll(async () => {
  models = makeModelsDir();
  const opened = await openTestDatabase();
  drop = opened.drop;
  const env = { INFERENCE_HOSTS: 'tiny-gpt2=builtin', ENGINE_MODELS_DIR: models.dir };
  // Both on one database, as two processes of one deployment would be.
  a = await buildAppOn(opened.database, async () => {}, env);
  b = await buildAppOn(opened.database, async () => {}, env);
  await seedSource(opened.database.db, { modelId: 'tiny-gpt2', setName: 'res-std', layerNumber: 1, features: 4, activationsPerFeature: 1 });
  await opened.database.db.update(model).set({ tlensId: null }).where(eq(model.id, 'tiny-gpt2'));
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await drop?.();
  models?.remove();
});

const tokenize = (ctx: TestContext) =>
  ctx.app.inject({ method: 'POST', url: '/api/tokenize', payload: { modelId: 'tiny-gpt2', prompt: 'hello world' } });
const engineStatus = async () => {
  const { url, secret } = address();
  return (await (await fetch(`${url}/v1/engine/status`, { headers: { 'x-secret-key': secret } })).json()) as { models: string[] };
};

describe('one built-in engine per models folder', () => {
  it("the second instance uses the first's engine; when the first goes, the second takes over", async () => {
    const first = address();
    expect(first.pid).toBe(process.pid);
    expect(await engineStatus()).toMatchObject({ models: [] });
    const res = await tokenize(b);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().tokens).toEqual([50256, 31373, 995]);
    // B's request loaded the model in the one engine there is.
    expect((await engineStatus()).models).toEqual(['tiny-gpt2']);
    expect(address().url).toBe(first.url);

    await a.app.close(); // the owner stops: its engine and lock go with it
    expect(existsSync(engineFile())).toBe(false);
    let taken: string | undefined;
    for (let i = 0; i < 100 && !taken; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(engineFile())) taken = address().url;
    }
    expect(taken).toBeDefined();
    expect(taken).not.toBe(first.url);
    const again = await tokenize(b);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().tokens).toEqual([50256, 31373, 995]);
  });
});
