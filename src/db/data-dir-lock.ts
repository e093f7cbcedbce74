// PGlite takes no lock on its folder, and two processes writing one folder corrupt it. We hold our
// own: an exclusive flock(2) on a file in the folder (see flock.ts), which the kernel keeps exactly as
// long as this process has the file open. Liveness never depends on pids, which repeat across PID
// namespaces (a restarted container's server is pid 1 again) and get reused. The file also names the
// holder, for the refusal message only. Where no flock helper exists, proper-lockfile stands in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { FLOCK, PERL_FLOCK, tryFlock, type FlockHelper } from './flock.js';

export const LOCK_FILE_NAME = 'neuronpedia-mirror.lock';

/** How long a proper-lockfile lock may go without a heartbeat before others take it over. */
const FALLBACK_STALE_MS = 30_000;

export interface LockOwner {
  pid: number;
  /** In a container, its id: with it the pid can be found. Absent in lock files from older versions. */
  hostname?: string;
  command: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who = owner
      ? `process ${owner.pid} (${owner.command}${owner.hostname ? `, on host ${owner.hostname}` : ''}, since ${owner.startedAt})`
      : 'another process';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. ` +
        'PGlite allows one process per data folder: stop that process, send this work through its HTTP API, or set DATABASE_URL to use a Postgres server.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Takes the lock on `dataDir` for this process; returns a function that releases it. The lock also
 * ends when the process does, however it ends. `helpers` is for tests.
 */
export function acquireDataDirLock(
  dataDir: string,
  command = process.argv.slice(1).join(' '),
  helpers: readonly FlockHelper[] = [FLOCK, PERL_FLOCK],
): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), command, startedAt: new Date().toISOString() };
  for (const helper of helpers) {
    const release = acquireWithFlock(dataDir, lockPath, me, helper);
    if (release) return release;
  }
  return acquireWithLockfile(dataDir, lockPath, me);
}

/** undefined when this helper cannot lock here (not installed, or its locks do not last on this filesystem). */
function acquireWithFlock(dataDir: string, lockPath: string, me: LockOwner, helper: FlockHelper): (() => void) | undefined {
  for (let attempt = 0; attempt < 10; attempt++) {
    // libuv opens with O_CLOEXEC: programs this process starts later do not inherit the lock.
    const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    let kept = false;
    try {
      const locked = tryFlock(fd, helper);
      if (locked === undefined) return undefined;
      if (!locked) throw new DataDirLockedError(dataDir, readOwner(fd));
      // A holder removes the file as it releases; when that happened between our open and our lock,
      // we locked a file that nobody else will open: lock the one now at the path instead.
      if (!isAtPath(fd, lockPath)) continue;
      fs.ftruncateSync(fd);
      fs.writeSync(fd, JSON.stringify(me), 0);
      // Some network filesystems emulate flock with per-process locks, which ended with the helper.
      if (!heldByOthersView(lockPath, helper)) return undefined;
      kept = true;
      return once(() => {
        // Removed while still locked, so the file never names a process that is gone.
        if (isAtPath(fd, lockPath)) fs.rmSync(lockPath, { force: true });
        fs.closeSync(fd);
      });
    } finally {
      if (!kept) fs.closeSync(fd);
    }
  }
  throw new Error(
    `Could not take the lock ${lockPath}: it keeps being replaced; are other processes starting and stopping on this folder?`,
  );
}

function isAtPath(fd: number, lockPath: string): boolean {
  const open = fs.fstatSync(fd);
  const current = fs.statSync(lockPath, { throwIfNoEntry: false });
  return current !== undefined && current.ino === open.ino && current.dev === open.dev;
}

/** Whether another open file of the lock is refused, as it must be while we hold it. */
function heldByOthersView(lockPath: string, helper: FlockHelper): boolean {
  const probe = fs.openSync(lockPath, fs.constants.O_RDWR);
  try {
    return tryFlock(probe, helper) === false;
  } finally {
    fs.closeSync(probe);
  }
}

// Without a kernel lock: a directory created atomically, kept fresh by a timer on the main thread.
// A synchronous PGlite query longer than FALLBACK_STALE_MS stalls that timer and another process may
// take over, and a killed holder blocks the folder that long; both are why this is only a fallback.
function acquireWithLockfile(dataDir: string, lockPath: string, me: LockOwner): () => void {
  let unlock: () => void;
  try {
    unlock = lockfile.lockSync(lockPath, {
      realpath: false,
      stale: FALLBACK_STALE_MS,
      onCompromised: (error) => {
        // Another process may be writing the folder now: stop rather than corrupt it.
        throw new Error(`Lost the lock on ${dataDir} (${error.message}); stopping so that two processes do not write it.`);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(dataDir, readOwner(lockPath));
    throw error;
  }
  fs.writeFileSync(lockPath, JSON.stringify(me));
  return once(() => {
    fs.rmSync(lockPath, { force: true });
    unlock();
  });
}

/** The holder's details; a holder that has just taken the lock may not have written them yet. */
function readOwner(file: number | string): LockOwner | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const owner = JSON.parse(typeof file === 'number' ? readAll(file) : fs.readFileSync(file, 'utf8')) as LockOwner;
      if (typeof owner.pid === 'number') return owner;
    } catch {
      // empty or half-written: look again shortly
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  return undefined;
}

function readAll(fd: number): string {
  const buffer = Buffer.alloc(fs.fstatSync(fd).size);
  const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
  return buffer.subarray(0, read).toString('utf8');
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
