// Starts the server: configuration, database (migrated), the app, and a graceful shutdown.
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import { loadConfig } from './config.js';
import { analyzeAtStart } from './db/analyze.js';
import { openDatabase } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { serverOptions } from './options.js';
import { loadDemoDataIfEmpty } from './ingest/sample/demo-data.js';
import { demoSnapshotFor } from './ingest/sample/demo-snapshot.js';
import { runCli } from './run-cli.js';
import { planWorkers, runPrimary } from './cluster.js';

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  if (cluster.isPrimary) {
    const plan = planWorkers(config);
    const log = Fastify(serverOptions(config)).log;
    log.info({ workers: plan.workers }, plan.reason);
    if (plan.workers > 1) {
      // Migrate once, here, before any worker opens the database.
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
      await runMigrations(database).finally(() => database.close());
      await runPrimary(plan.workers, log);
      return;
    }
  }
  // A first start of the embedded database loads the pre-built demo (npm run build) when there is one.
  const demo = !config.databaseUrl && config.demoData ? demoSnapshotFor(config.dataDir) : undefined;
  const opening = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    replicas: config.replicas,
    pgliteTemplate: demo,
  });
  // The app's modules load while the database opens: the embedded one's WebAssembly compiles off
  // this thread (about half a second of a cold start).
  const [database, { default: app }] = await Promise.all([opening, import('./app.js')]);
  const fastify = Fastify(serverOptions(config));
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) fastify.log.error({ err }, 'shutting down after an error');
    else fastify.log.info({ signal }, 'shutting down');
    await fastify.close();
    await database.close();
  });
  if (cluster.isPrimary) await runMigrations(database);
  if (demo)
    fastify.log.info('empty embedded database: started from the pre-built demo (gpt2-small, 6-res-jb); set DEMO_DATA=false to skip');
  if (database.kind === 'pglite' && config.demoData && (await loadDemoDataIfEmpty(database))) {
    fastify.log.info('empty embedded database: loaded the demo sample (gpt2-small, 6-res-jb); set DEMO_DATA=false to skip');
  }
  // No autovacuum in the embedded database: tables filled without statistics would be planned as empty.
  const analyzed = await analyzeAtStart(database);
  if (analyzed.length > 0) fastify.log.info({ tables: analyzed }, 'refreshed planner statistics of the embedded database');
  await fastify.register(app, { config, database });
  await fastify.listen({ port: config.port, host: config.host });
  fastify.log.info(
    {
      database: database.kind,
      location: database.location,
      replicas: database.replicas?.status(),
      worker: cluster.isWorker ? cluster.worker?.id : undefined,
      startupMs: Math.round(performance.now() - started),
    },
    `Neuronpedia mirror ready at ${config.publicUrl}/api (docs at /api-doc)`,
  );
}

await runCli(main);
