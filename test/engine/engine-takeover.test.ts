// One engine per machine when its owner dies without closing (kill -9, a crash, the OOM killer):
// the lock goes with the process but its engine.json stays behind. A follower takes the engine
// over within seconds and answers; a process starting after the death owns the engine instead of
// following the dead address.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import readline from 'node:readline';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { SharedEngine } from '../../src/plugins/app/shared-engine.js';
import { makeModelsDir } from './models-dir.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const address = (dir: string) =>
  JSON.parse(readFileSync(join(dir, '.engine', 'engine.json'), 'utf8')) as { url: string; secret: string; pid: number };

/** A child process that starts the shared engine on `dir`; resolves with what it says it is. */
async function startChild(dir: string): Promise<{ child: ChildProcess; role: string; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/engine-owner.ts', dir], {
    cwd: resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  const [line] = (await readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value!.split('\n');
  const [role, pid, url] = line!.split(' ') as [string, string, string];
  expect(Number(pid)).toBe(child.pid);
  return { child, role, url };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

async function follower(dir: string): Promise<SharedEngine> {
  const quiet = { info() {}, warn() {}, error() {} } as unknown as FastifyBaseLogger;
  const config = { engineModelsDir: dir, engineThreads: 1, engineMemoryMb: undefined, logLevel: 'silent' } as unknown as Config;
  const engine = await SharedEngine.start(config, quiet);
  cleanups.push(() => engine.close());
  return engine;
}

const tokenize = async (url: string, secret: string | undefined) => {
  const res = await fetch(`${url}/v1/tokenize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-secret-key': secret ?? '' },
    body: JSON.stringify({ model: 'tiny-gpt2', text: 'hello world', prepend_bos: false }),
  });
  return { status: res.status, body: (await res.json()) as { tokens?: number[] } };
};

describe('the engine owner killed (SIGKILL)', () => {
  it('a follower takes over within seconds and answers', async () => {
    const models = makeModelsDir();
    cleanups.push(models.remove);
    const owner = await startChild(models.dir);
    expect(owner.role).toBe('OWNER');
    const engine = await follower(models.dir);
    expect(engine.owner).toBe(false);
    expect(engine.url).toBe(owner.url);
    expect((await tokenize(engine.url, engine.secret)).status).toBe(200);

    await killed(owner.child);
    const killedAt = Date.now();
    // Followers check every second; a few seconds is the promise (generous here for a loaded CI box).
    while (!engine.owner && Date.now() - killedAt < 8_000) await new Promise((r) => setTimeout(r, 50));
    expect(engine.owner).toBe(true);
    expect(engine.url).not.toBe(owner.url);
    expect(address(models.dir)).toMatchObject({ url: engine.url, pid: process.pid });
    const again = await tokenize(engine.url, engine.secret);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.tokens).toEqual([31373, 995]);
  });

  it('the address it left is not trusted: the next process owns a new engine', async () => {
    const models = makeModelsDir();
    cleanups.push(models.remove);
    const first = await startChild(models.dir);
    expect(first.role).toBe('OWNER');
    await killed(first.child);
    // kill -9 leaves the dead engine's address behind, and nothing answers there.
    expect(address(models.dir).pid).toBe(first.child.pid);
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();

    const second = await startChild(models.dir);
    expect(second.role).toBe('OWNER');
    expect(second.url).not.toBe(first.url);
    expect(address(models.dir)).toMatchObject({ url: second.url, pid: second.child.pid });
    const engine = await follower(models.dir);
    expect(engine.owner).toBe(false);
    expect(engine.url).toBe(second.url);
    expect((await tokenize(engine.url, engine.secret)).status).toBe(200);
  });
});
