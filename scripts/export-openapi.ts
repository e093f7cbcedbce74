// npm run openapi [-- out.json]: writes the OpenAPI document the server serves, without starting a
// server or touching a real database (an in-memory one backs the app while it is built).
import fs from 'node:fs';
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { serverOptions } from '../src/options.js';
import { runCli } from '../src/run-cli.js';

await runCli(async () => {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '' });
  const database = await openDatabase({ dataDir: 'memory://' });
  const fastify = Fastify(serverOptions(config));
  try {
    await fastify.register(app, { config, database });
    await fastify.ready();
    const document = JSON.stringify(fastify.swagger(), null, 2) + '\n';
    const out = process.argv[2];
    if (out) fs.writeFileSync(out, document);
    else process.stdout.write(document);
  } finally {
    await fastify.close();
    await database.close();
  }
});
