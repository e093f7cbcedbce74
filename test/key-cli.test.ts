// npm run user / npm run key, end to end: the key a user is given works over HTTP, listing shows
// only its prefix and last use, revoking it makes it a 401.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { buildAppOn, openTestDatabase, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-key-cli-'));
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const test = await openTestDatabase();
  if (test.url) {
    databaseUrl = test.url;
    await test.database.close();
    dropDatabase = test.drop;
  } else await test.drop();
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase?.().catch(() => {});
});

function run(script: 'user' | 'key', ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: databaseUrl ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
  });
}

/** The app on the database the commands wrote, for as long as `use` runs (the folder is then free again). */
async function withApp<T>(use: (ctx: TestContext) => Promise<T>): Promise<T> {
  const database = await openDatabase(databaseUrl ? { databaseUrl, dataDir: '' } : { dataDir });
  await runMigrations(database);
  const ctx = await buildAppOn(database, () => database.close());
  try {
    return await use(ctx);
  } finally {
    await ctx.close();
  }
}

describe('user and key commands', () => {
  let key = '';

  it('create a user and a key that works over HTTP', async () => {
    const created = run('user', 'create', 'Dana', '--admin');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created admin user dana/);
    expect(run('user', 'create', 'dana').status).toBe(2); // exists already
    expect(run('user', 'create', 'bad name!').status).toBe(2);

    const made = run('key', 'create', 'dana');
    expect(made.status, made.stderr).toBe(0);
    key = made.stdout.trim();
    expect(key).toMatch(/^sk-np-[A-Za-z0-9]{44}$/);
    expect(made.stderr).toMatch(/shown once/);

    await withApp(async (ctx) => {
      await seedSource(ctx.database.db, { modelId: 'dana-model', visibility: 'PRIVATE', creatorId: 'someone-else', features: 1 });
      const res = await ctx.app.inject({
        method: 'GET',
        url: '/api/feature/dana-model/6-res-jb/0',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.statusCode).toBe(200); // an admin reads private data
    });
  });

  it('list keys by prefix with their last use, never the key', () => {
    const listed = run('key', 'list', 'dana');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…`);
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).toMatch(/last used \d{4}-\d\d-\d\dT/);
    expect(listed.stdout).toContain('active');
  });

  it('revoke a key by its prefix, after which it is refused', async () => {
    expect(run('key', 'revoke', 'sk-np').status).toBe(2); // too short to be safe
    const revoked = run('key', 'revoke', key.slice(0, 12));
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(run('key', 'list', 'dana').stdout).toMatch(/revoked \d{4}/);
    await withApp(async (ctx) => {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/models', headers: { 'x-api-key': key } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/has been revoked/);
    });
  });

  it("set a user's own rate limit", () => {
    expect(run('user', 'set-limit', 'dana', 'steer', '500').status).toBe(0);
    expect(JSON.parse(run('user', 'show', 'dana').stdout).rateLimits).toEqual({ steer: 500 });
    expect(run('user', 'set-limit', 'dana', 'steer', 'default').status).toBe(0);
    expect(JSON.parse(run('user', 'show', 'dana').stdout).rateLimits).toEqual({});
    expect(run('user', 'set-limit', 'dana', 'nope', '5').status).toBe(2);
  });
});
