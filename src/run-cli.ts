// Shared start for the server and command-line scripts: expected failures (bad configuration, a
// held data folder, an export that is not there or cannot be reached) print their message alone,
// without a stack, exit code 1; anything unexpected prints its stack, which is what a bug report needs.
import { ConfigError } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { ExportFetchError } from './ingest/export-http.js';
import { LayoutError } from './ingest/layout.js';

const EXPECTED = [ConfigError, DataDirLockedError, LayoutError, ExportFetchError];

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (EXPECTED.some((kind) => error instanceof kind)) console.error((error as Error).message);
    else console.error(error);
    process.exitCode = 1;
  }
}
