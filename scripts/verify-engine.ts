// npm run verify-engine -- <model> <source> [--sample N] [--tolerance X]
// Recomputes a sample of a source's imported top activations with the built-in engine (models
// from ENGINE_MODELS_DIR) and reports how closely they match the export. Exit code 1 when any
// compared value is further off than the tolerance.
import { parseArgs } from 'node:util';
import { withCliDatabase } from '../src/cli-database.js';
import { loadConfig } from '../src/config.js';
import { configureMatmul } from '../src/engine/matmul.js';
import { Registry } from '../src/engine/registry.js';
import { runCli } from '../src/run-cli.js';
import { formatVerifyReport, verifyEngine } from '../src/services/engine/verify.js';

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { sample: { type: 'string', default: '200' }, tolerance: { type: 'string', default: '0.001' }, models: { type: 'string' } },
  });
  if (positionals.length !== 2) {
    console.error('usage: npm run verify-engine -- <model> <source> [--sample 200] [--tolerance 0.001] [--models DIR]');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  configureMatmul({ threads: config.engineThreads });
  const registry = new Registry(values.models ?? config.engineModelsDir);
  const opts = { modelId: positionals[0]!, sourceId: positionals[1]!, sample: Number(values.sample), tolerance: Number(values.tolerance) };
  await withCliDatabase(async (database) => {
    try {
      const report = await verifyEngine(database.db, registry, opts);
      console.log(formatVerifyReport(opts, report));
      if (report.withinTolerance < 1) process.exitCode = 1;
    } catch (error) {
      console.error((error as Error).message);
      process.exitCode = 1;
    }
  });
});
