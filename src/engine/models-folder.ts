// What a models folder holds and what it costs in memory, from the safetensors headers alone (no
// weights read): the engine widens every tensor to float32, so a tensor costs 4 bytes a value
// whatever its dtype on disk. Used by `npm run models -- list` and by the SAE memory budget.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes the engine holds for a safetensors file once loaded (float32 values). */
export function loadedBytes(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const size = Buffer.alloc(8);
    readSync(fd, size, 0, 8, 0);
    const length = Number(size.readBigUInt64LE(0));
    if (length > 100 * 1024 * 1024) throw new Error(`${file}: not a safetensors file`);
    const header = Buffer.alloc(length);
    readSync(fd, header, 0, length, 8);
    const entries = JSON.parse(header.toString('utf8')) as Record<string, { dtype?: string; shape?: number[] }>;
    let values = 0;
    for (const [name, e] of Object.entries(entries)) {
      if (name === '__metadata__' || !['F32', 'F16', 'BF16'].includes(e.dtype ?? '')) continue;
      values += (e.shape ?? []).reduce((a, b) => a * b, 1);
    }
    return values * 4;
  } finally {
    closeSync(fd);
  }
}

export interface FolderEntry {
  /** `model` or `model/source`. */
  name: string;
  diskBytes: number;
  /** undefined when the weights are missing or unreadable. */
  memoryBytes: number | undefined;
  problem?: string;
}

function entry(name: string, folder: string, config: string, weights: string): FolderEntry {
  const w = join(folder, weights);
  if (!existsSync(join(folder, config))) return { name, diskBytes: 0, memoryBytes: undefined, problem: `${config} missing` };
  if (!existsSync(w)) {
    const partial = existsSync(`${w}.part`) ? ' (a download was cut: fetch again to resume)' : '';
    return { name, diskBytes: 0, memoryBytes: undefined, problem: `${weights} missing${partial}` };
  }
  try {
    return { name, diskBytes: statSync(w).size, memoryBytes: loadedBytes(w) };
  } catch (error) {
    return { name, diskBytes: statSync(w).size, memoryBytes: undefined, problem: (error as Error).message };
  }
}

const subfolders = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort()
    : [];

/** Every model and SAE folder, model first then its SAEs in layer order. */
export function listModelsFolder(dir: string): FolderEntry[] {
  const out: FolderEntry[] = [];
  for (const model of subfolders(dir)) {
    out.push(entry(model, join(dir, model), 'config.json', 'model.safetensors'));
    const saes = subfolders(join(dir, model, 'saes')).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));
    for (const source of saes)
      out.push(entry(`${model}/${source}`, join(dir, model, 'saes', source), 'cfg.json', 'sae_weights.safetensors'));
  }
  return out;
}

const mb = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** The table `npm run models -- list` prints. */
export function formatListing(dir: string, entries: FolderEntry[]): string {
  if (entries.length === 0) return `No models in ${dir}. Fetch one: npm run models -- fetch gpt2-small res-jb`;
  const width = Math.max(...entries.map((e) => e.name.length), 5);
  const lines = [`${'name'.padEnd(width)}  ${'on disk'.padStart(10)}  ${'in memory'.padStart(10)}`];
  let total = 0;
  for (const e of entries) {
    total += e.memoryBytes ?? 0;
    const memory = e.memoryBytes === undefined ? '-' : mb(e.memoryBytes);
    lines.push(`${e.name.padEnd(width)}  ${mb(e.diskBytes).padStart(10)}  ${memory.padStart(10)}${e.problem ? `  (${e.problem})` : ''}`);
  }
  lines.push(
    `${'total'.padEnd(width)}  ${''.padStart(10)}  ${mb(total).padStart(10)}  (models stay loaded; SAEs load on first use, within ENGINE_MEMORY_MB)`,
  );
  return lines.join('\n');
}
