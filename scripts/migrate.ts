// npm run db:migrate: applies migrations/ to DATABASE_URL, or to the embedded database in DATA_DIR
// (refusing, with the owner's pid, if a running server holds that folder). Safe to run twice.
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { runCli } from '../src/run-cli.js';

await runCli(async () => {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await runMigrations(database);
    console.log(`Migrations applied to ${database.kind} (${database.location}).`);
  } finally {
    await database.close();
  }
});
