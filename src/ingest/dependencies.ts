// Which files of an export need which others loaded first, and which file to load next. A source
// folder's files form a chain: model, release, source set and source rows before its features,
// features before their activations and explanations; the config files (explanation types and
// such) come before every source folder. A file whose parent file failed (or was itself blocked)
// in this run is not loaded: loading it would reject every row as "parent missing" and record the
// file as imported, and the rows would never come back once the parent is repaired.
//
// Several loops (and, through the claims, several processes) take files from one FileSchedule: a
// file is handed out once every file it depends on is finished here (loaded, or found already
// imported, perhaps by another importer) and its claim is won.
import type { FileClaims } from '../db/import/claims.js';
import type { ExportFile, FileKind } from './layout.js';

const RANK: Partial<Record<FileKind, number>> = {
  model: 0,
  release: 1,
  sourceset: 2,
  source: 3,
  features: 4,
  activations: 5,
  explanations: 5,
};
const RANKS = 6;
/** How often to look again when every file left waits on another importer's claim. */
const POLL_MS = 200;

const folderOf = (file: ExportFile) => `${file.modelId}\u0000${file.sourceId}`;

export class FileDependencies {
  /** Per source folder, the files not loaded in this run, with their ranks. */
  private readonly missing = new Map<string, { file: ExportFile; rank: number }[]>();

  /** Remembers that `file` was not loaded (failed or blocked), so the files after it in its chain are blocked. */
  notLoaded(file: ExportFile): void {
    const rank = RANK[file.kind];
    if (rank === undefined) return;
    const folder = folderOf(file);
    const list = this.missing.get(folder) ?? [];
    list.push({ file, rank });
    this.missing.set(folder, list);
  }

  /** The first earlier file of `file`'s chain that was not loaded in this run, if any. */
  blockedBy(file: ExportFile): ExportFile | undefined {
    const rank = RANK[file.kind];
    if (rank === undefined) return undefined;
    return this.missing.get(folderOf(file))?.find((m) => m.rank < rank)?.file;
  }
}

export interface Scheduled {
  file: ExportFile;
  index: number;
  /** Set when the file is not to be loaded: the earlier file of its chain that was not. */
  blockedBy?: ExportFile;
}

type State = 'pending' | 'inflight' | 'done';

export class FileSchedule {
  private readonly state: State[];
  private readonly dependencies = new FileDependencies();
  /** Per source folder, files not finished per rank; and config files not finished. */
  private readonly unfinished = new Map<string, number[]>();
  private configUnfinished = 0;
  private firstPending = 0;
  private pending: number;
  private inflight = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private changed = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(
    private readonly files: ExportFile[],
    private readonly claims: FileClaims,
  ) {
    this.state = files.map(() => 'pending');
    this.pending = files.length;
    for (const file of files) this.count(file, 1);
  }

  /** No more files are handed out (a loop failed, or the import stops early). */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  /** The next file to load (claimed) or to report blocked; undefined when none is left for this loop. */
  async next(): Promise<Scheduled | undefined> {
    for (;;) {
      if (this.stopped || this.pending === 0) return undefined;
      while (this.state[this.firstPending] !== 'pending') this.firstPending++;
      const changed = this.changed;
      let waiting = false;
      for (let index = this.firstPending; index < this.files.length; index++) {
        if (this.state[index] !== 'pending') continue;
        const file = this.files[index]!;
        const blockedBy = this.dependencies.blockedBy(file);
        if (blockedBy) {
          this.finish(index, false);
          return { file, index, blockedBy };
        }
        if (!this.ready(file)) continue;
        if (!(await this.claims.tryClaim(file.key))) {
          waiting = true;
          continue;
        }
        // Another loop may have settled it while the claim was asked for.
        if (this.state[index] !== 'pending' || this.stopped) {
          await this.claims.release(file.key);
          continue;
        }
        this.state[index] = 'inflight';
        this.pending--;
        this.inflight++;
        return { file, index };
      }
      // Everything left waits on files in flight: here (wake on their end) or in another importer (poll).
      if (!waiting && this.inflight === 0) throw new Error('import schedule: files wait on nothing (dependency cycle)');
      await (waiting && this.claims.shared ? Promise.race([changed, sleep(POLL_MS)]) : changed);
    }
  }

  /** `file` (handed out by next) is finished: loaded (or found imported) or not. Releases its claim. */
  async done(scheduled: Scheduled, loaded: boolean): Promise<void> {
    this.inflight--;
    this.finish(scheduled.index, loaded);
    await this.claims.release(scheduled.file.key);
  }

  private finish(index: number, loaded: boolean) {
    const file = this.files[index]!;
    if (this.state[index] === 'pending') this.pending--;
    this.state[index] = 'done';
    if (!loaded) this.dependencies.notLoaded(file);
    this.count(file, -1);
    this.notify();
  }

  private count(file: ExportFile, delta: number) {
    const rank = RANK[file.kind];
    if (rank === undefined) {
      this.configUnfinished += delta;
      return;
    }
    const folder = folderOf(file);
    let counts = this.unfinished.get(folder);
    if (!counts) this.unfinished.set(folder, (counts = new Array<number>(RANKS).fill(0)));
    counts[rank]! += delta;
  }

  /** Every file `file` depends on is finished. */
  private ready(file: ExportFile): boolean {
    const rank = RANK[file.kind];
    if (rank === undefined) return true;
    if (this.configUnfinished > 0) return false;
    const counts = this.unfinished.get(folderOf(file))!;
    for (let r = 0; r < rank; r++) if (counts[r]! > 0) return false;
    return true;
  }

  private notify() {
    const wake = this.wake;
    this.changed = new Promise<void>((resolve) => (this.wake = resolve));
    wake?.();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
