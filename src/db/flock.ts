// Node has no flock(2), so a short-lived helper program takes the lock for us, on a descriptor it
// inherits from this process. A flock lock belongs to the open file description, not to the process
// that asked for it: once the helper exits, the lock stays held through our descriptor until we close
// it or this process dies (even by SIGKILL), when the kernel drops it. So nothing depends on pids or
// on a heartbeat that a long synchronous PGlite query could stall, and no process is left behind.
import { spawnSync } from 'node:child_process';

export interface FlockHelper {
  command: string;
  /** Arguments that lock descriptor 3 exclusively without waiting: exit 0 locked, 1 held by another. */
  args: string[];
}

/** util-linux's flock(1), on every usual Linux and in the Docker image; busybox's (Alpine) takes the same arguments. */
export const FLOCK: FlockHelper = { command: 'flock', args: ['-x', '-n', '3'] };

/** macOS has no flock(1) but ships perl, whose flock() is flock(2). */
export const PERL_FLOCK: FlockHelper = {
  command: 'perl',
  args: ['-MFcntl=:flock', '-e', 'open(my $f, "+<&=3") or exit 2; exit(flock($f, LOCK_EX | LOCK_NB) ? 0 : 1)'],
};

/**
 * Tries to lock the file open on `fd` for as long as `fd` stays open: true when taken, false when
 * another open file holds it, undefined when the helper is not installed here.
 */
export function tryFlock(fd: number, helper: FlockHelper): boolean | undefined {
  const result = spawnSync(helper.command, helper.args, { stdio: ['ignore', 'ignore', 'pipe', fd], timeout: 10_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (result.error) throw result.error;
  if (result.status === 0) return true;
  if (result.status === 1) return false;
  const why = result.stderr.toString().trim() || `exit status ${result.status ?? result.signal}`;
  throw new Error(`${helper.command} could not lock a file: ${why}`);
}
