// The data folder lock: one process per PGlite folder, whatever its pid or PID namespace, also when
// several start at the same instant; a holder that dies (even by SIGKILL) frees the folder at once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from '../src/db/data-dir-lock.js';
import { PERL_FLOCK } from '../src/db/flock.js';

const FIXTURE = 'test/fixtures/lock-holder.ts';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-lock-test-'));
let folders = 0;
const tempDir = () => fs.mkdtempSync(path.join(root, `${folders++}-`));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Holder {
  child: ChildProcess;
  /** The first stdout line matching `pattern`; fails with the child's output when none comes. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | string>;
  kill(): Promise<void>;
}
const holders: Holder[] = [];
const sleepers: number[] = [];

/** Starts the fixture, in a fresh PID and mount namespace (where it is pid 1) when `namespace` is set. */
function startHolder(dir: string, mode: 'hold' | 'once' | 'race' | 'sleeper', namespace = false): Holder {
  const node = [process.execPath, '--import', 'tsx', FIXTURE, dir, mode];
  // No fallback when unshare is refused: that must fail the test, not skip it.
  const [command, ...args] = namespace ? ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...node] : node;
  // Its own process group, so that a kill reaches the node that unshare started too.
  const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  let stderr = '';
  readline.createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let done = false;
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const holder: Holder = {
    child,
    exited,
    async line(pattern, timeoutMs = 15_000) {
      for (const until = Date.now() + timeoutMs; ;) {
        const found = lines.find((line) => pattern.test(line));
        if (found) return found;
        if (done || Date.now() > until) {
          throw new Error(
            `${command} ${mode}: no line matching ${pattern} (${done ? 'exited' : 'timed out'})\nstdout: ${lines.join('\n')}\nstderr: ${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async kill() {
      if (!done) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
  holders.push(holder);
  return holder;
}

afterEach(async () => {
  await Promise.all(holders.splice(0).map((holder) => holder.kill()));
  for (const pid of sleepers.splice(0)) process.kill(pid, 'SIGKILL');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('data folder lock', () => {
  it('gives the lock to exactly one of ten processes trying at the same instant, round after round', async () => {
    const dir = tempDir();
    const contenders = Array.from({ length: 10 }, () => startHolder(dir, 'race'));
    await Promise.all(contenders.map((holder) => holder.line(/^READY/)));
    const winners: number[] = [];
    for (let round = 0; round < 25; round++) {
      const at = Date.now() + 50; // time enough for every contender to read its order
      for (const holder of contenders) holder.child.stdin!.write(`TRY ${round} ${at}\n`);
      const outcomes = await Promise.all(contenders.map((holder) => holder.line(new RegExp(`^(LOCKED \\d+|REFUSED) ${round}\\b`))));
      winners.push(outcomes.filter((outcome) => outcome.startsWith('LOCKED')).length);
      for (const outcome of outcomes.filter((o) => o.startsWith('REFUSED')))
        expect(outcome).toMatch(/is in use by process \d+ \(lock-holder race/);
      for (const holder of contenders) holder.child.stdin!.write(`RELEASE ${round}\n`);
      await Promise.all(contenders.map((holder) => holder.line(new RegExp(`^FREE ${round}$`))));
    }
    expect(winners).toEqual(winners.map(() => 1));
    for (const holder of contenders) holder.child.stdin!.end();
    expect(await Promise.all(contenders.map((holder) => holder.exited))).toEqual(contenders.map(() => 0));
  }, 30_000);

  it('excludes processes in other PID namespaces, and a new pid 1 takes over from a killed pid 1 at once', async () => {
    const dir = tempDir();
    const first = startHolder(dir, 'hold', true);
    expect(await first.line(/^(LOCKED|REFUSED)/)).toBe('LOCKED 1 0'); // pid 1: a fresh namespace, as in a container
    const second = startHolder(dir, 'once', true);
    expect(await second.line(/^(LOCKED|REFUSED)/)).toMatch(/^REFUSED 0 .*is in use by process 1 \(lock-holder hold/);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError); // and from this namespace too

    await first.kill();
    // The restarted container: same pid as the dead holder, another namespace. The first attempt
    // succeeds, and a process that never calls release still exits on its own.
    const third = startHolder(dir, 'once', true);
    expect(await third.line(/^(LOCKED|REFUSED)/)).toBe('LOCKED 1 0');
    expect(await third.exited).toBe(0);
  }, 30_000);

  it('frees the folder the instant a holder is killed, even while a child it started lives on, and names the holder meanwhile', async () => {
    const dir = tempDir();
    const holder = startHolder(dir, 'sleeper');
    expect(await holder.line(/^(LOCKED|REFUSED)/)).toBe(`LOCKED ${holder.child.pid} 0`);
    const sleeper = Number((await holder.line(/^SLEEPER \d+/)).split(' ')[1]);
    sleepers.push(sleeper);
    expect(() => acquireDataDirLock(dir)).toThrow(
      new RegExp(
        `^The embedded database in ${escape(dir)} is in use by process ${holder.child.pid} \\(lock-holder sleeper, on host ${escape(os.hostname())}, since \\d{4}-`,
      ),
    );

    await holder.kill();
    expect(() => process.kill(sleeper, 0)).not.toThrow(); // still running, with whatever it inherited
    const release = acquireDataDirLock(dir);
    release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
  });

  it('lets the next process in as soon as the holder releases', async () => {
    const dir = tempDir();
    const holder = startHolder(dir, 'hold');
    await holder.line(/^LOCKED/);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    holder.child.stdin!.end();
    await holder.line(/^RELEASED/);
    acquireDataDirLock(dir)();
  });

  it('takes a lock file that names this very pid when nobody holds it (the pid was reused)', () => {
    const dir = tempDir();
    const stale = { pid: process.pid, hostname: os.hostname(), command: 'crashed', startedAt: new Date(0).toISOString() };
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify(stale));
    const release = acquireDataDirLock(dir, 'restarted');
    expect(() => acquireDataDirLock(dir)).toThrow(/\(restarted, /);
    release();
  });

  it('uses perl where flock(1) is missing (macOS), and proper-lockfile where neither is', () => {
    const missing = { command: 'no-such-flock-helper', args: [] };
    for (const helpers of [[missing, PERL_FLOCK], []]) {
      const dir = tempDir();
      const release = acquireDataDirLock(dir, 'first', helpers);
      // proper-lockfile's directory exists only when it is the one in use.
      expect(fs.existsSync(path.join(dir, `${LOCK_FILE_NAME}.lock`))).toBe(helpers.length === 0);
      expect(() => acquireDataDirLock(dir, 'second', helpers)).toThrow(/in use by process \d+ \(first, /);
      release();
      acquireDataDirLock(dir, 'third', helpers)();
    }
  });
});
