// Which files of an export need which others loaded first. A source folder's files form a chain:
// model, release, source set and source rows before its features, features before their
// activations and explanations. A file whose parent file failed (or was itself blocked) in this run
// is not loaded: loading it would reject every row as "parent missing" and record the file as
// imported, and the rows would never come back once the parent is repaired.
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
