// `npm run models -- fetch`: the files of a model and its SAE sets (src/engine/catalog.ts), one after
// the other, into the models folder in the engine's layout. Each file resumes and is checked on its
// own (hf-download.ts), so a cut run is continued by running the same command again.
import { join } from 'node:path';
import { planFetch } from '../engine/catalog.js';
import { downloadFile, type DownloadOptions } from './hf-download.js';
import type { HubSettings } from './huggingface.js';

export interface FetchReport {
  fetched: string[];
  present: string[];
}

export interface FetchProgress {
  file(dest: string, total: number, have: number): void;
  bytes(n: number): void;
  done(): void;
}

export async function fetchModel(
  settings: HubSettings,
  modelsDir: string,
  modelId: string,
  sets: string[],
  progress?: FetchProgress,
  fetchImpl?: typeof fetch,
): Promise<FetchReport> {
  const report: FetchReport = { fetched: [], present: [] };
  for (const file of planFetch(modelId, sets)) {
    const opts: DownloadOptions = {
      fetchImpl,
      onStart: (total, have) => progress?.file(file.dest, total, have),
      onProgress: (n) => progress?.bytes(n),
    };
    try {
      const fetched = await downloadFile(settings, file.repo, file.path, join(modelsDir, file.dest), opts);
      (fetched ? report.fetched : report.present).push(file.dest);
    } finally {
      progress?.done();
    }
  }
  return report;
}
