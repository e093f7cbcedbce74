// Shared start for the server and command-line scripts: expected failures print one clear line, exit code 1.
import { ConfigError } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError) console.error(error.message);
    else console.error(error);
    process.exitCode = 1;
  }
}
