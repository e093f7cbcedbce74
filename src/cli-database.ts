// Opens the configured database for a command-line tool, migrated, and closes it afterwards. The
// embedded folder is locked by a running server; the lock error says so and names the process.
import { loadConfig } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { runMigrations } from './db/migrate.js';

export async function withCliDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await runMigrations(database);
    return await work(database);
  } finally {
    await database.close();
  }
}
