// PGlite takes no lock on its folder, and two processes writing one folder corrupt it. We hold our
// own lock: a file created exclusively, naming the owner's pid and command, removed on close.
// A lock whose pid is no longer running is stale (the owner was killed) and is taken over.
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE_NAME = 'neuronpedia-mirror.lock';

export interface LockOwner {
  pid: number;
  command: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.command}, since ${owner.startedAt}). ` +
        'PGlite allows one process per data folder: stop that process, send this work through its HTTP API, or set DATABASE_URL to use a Postgres server.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined; // vanished or half-written: treat as free and retry
  }
}

/** Takes the lock on `dataDir` for this process; returns a function that releases it. */
export function acquireDataDirLock(dataDir: string, command = process.argv.slice(1).join(' ')): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const me: LockOwner = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(me), { flag: 'wx' });
      return () => {
        const owner = readOwner(lockPath);
        if (owner?.pid === process.pid) fs.rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockPath);
      if (owner && owner.pid !== process.pid && isRunning(owner.pid)) throw new DataDirLockedError(dataDir, owner);
      if (owner?.pid === process.pid) throw new DataDirLockedError(dataDir, owner);
      fs.rmSync(lockPath, { force: true }); // stale: its owner died without releasing it
    }
  }
  throw new Error(`Could not take the lock ${lockPath}: it keeps changing; is another process starting at the same time?`);
}
