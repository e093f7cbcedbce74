// npm run import -- <location> [options]: loads a Neuronpedia export into DATABASE_URL or the
// embedded database. See --help.
import { once } from 'node:events';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { withCliDatabase } from '../src/cli-database.js';
import { findUserByName } from '../src/db/queries/users.js';
import { DEFAULT_IMPORT_JOBS, importExport, type Reject } from '../src/ingest/import-export.js';
import { formatSummary, progressReporter } from '../src/ingest/progress.js';
import { runCli } from '../src/run-cli.js';

const HELP = `Usage: npm run import -- <location> [options]

Loads a Neuronpedia export (v1 layout) into the database named by DATABASE_URL, or into the
embedded database in DATA_DIR. <location> is a local folder (a v1/ root or its parent, a model
folder, or one source folder) or an HTTP(S) URL of the same layout, e.g.
  https://neuronpedia-datasets.s3.us-east-1.amazonaws.com/v1/gpt2-small/6-res-jb/
URLs must reach public addresses unless IMPORT_ALLOW_PRIVATE_ADDRESSES=true (your own object
store); IMPORT_CONNECT_TIMEOUT_MS and IMPORT_IDLE_TIMEOUT_MS bound how long a host may stay silent.

Re-running is safe: files already imported are skipped; an interrupted run resumes at the first
file not yet imported. A file that changed since its import is reported and left as imported.

Options:
  --model ID[,ID]          only these models
  --source ID[,ID]         only these sources (e.g. 6-res-jb)
  --explanations yes|no|only
                           load explanations too (yes, default), not (no), or only them (only)
  --explanation-batch-start N
                           skip explanation batches numbered below N (explanations/batch-N.jsonl.gz
                           onwards; resumes a large source's explanations as the admin route's
                           explanationBatchStart does)
  --max-errors N           stop when more than N records were rejected (default: no limit)
  --rejects FILE           write each rejected record as a JSON line (default: import-rejects.jsonl)
  --max-line-bytes N       reject lines longer than N bytes (default: MAX_LINE_BYTES, 16 MiB)
  --private-to USER        make the imported models, source sets and sources PRIVATE to this user (name)
  --batch-size N           rows per database write (default 2000)
  --jobs N                 files loaded at once, each on its own connection (Postgres only; default 2)
  -h, --help               this help

A file whose parent file (its source's features, or the source's model, release, source set or
source files) was not imported is blocked: not loaded, and loaded by the next run. A file that had
rows whose parent was missing is retried by the next run.

Several importers may work through one export together on Postgres (start this command again, on
this machine or another with the same DATABASE_URL): each claims files through Postgres, loads a
file only once the files it depends on are imported, and an importer that dies frees its files
for the others at once. The embedded database is one process's: it loads one file at a time.

Exit code: 0 when everything was imported, 1 when anything was rejected, failed, blocked or changed,
2 for bad usage.

The embedded database belongs to one process at a time: while the server runs on it, import
through the server instead (GET /api/admin/import?location=..., with an admin key) or stop it first.`;

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      source: { type: 'string' },
      explanations: { type: 'string' },
      'explanation-batch-start': { type: 'string' },
      'max-errors': { type: 'string' },
      rejects: { type: 'string' },
      'private-to': { type: 'string' },
      'batch-size': { type: 'string' },
      'max-line-bytes': { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(HELP);
  const usage = (message: string) => {
    console.error(`${message}\n\nRun with --help for usage.`);
    process.exitCode = 2;
  };
  if (positionals.length !== 1) return usage('Give exactly one location (a folder or a URL).');
  const explanations = (values.explanations ?? 'yes') as 'yes' | 'no' | 'only';
  if (!['yes', 'no', 'only'].includes(explanations)) return usage('--explanations must be yes, no or only.');
  const batchStartFlag = values['explanation-batch-start'];
  const explanationBatchStart = batchStartFlag === undefined ? undefined : Number(batchStartFlag);
  if (explanationBatchStart !== undefined && !(/^\d+$/.test(batchStartFlag!) && Number.isSafeInteger(explanationBatchStart)))
    return usage('--explanation-batch-start must be a whole number (0 or more).');
  const maxErrors = values['max-errors'] === undefined ? undefined : Number(values['max-errors']);
  if (maxErrors !== undefined && !(Number.isInteger(maxErrors) && maxErrors >= 0)) return usage('--max-errors must be a whole number.');
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
    return usage('--batch-size must be a positive whole number.');

  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0 && jobs <= 64))
    return usage('--jobs must be a whole number from 1 to 64.');

  const maxLineBytes = values['max-line-bytes'] === undefined ? undefined : Number(values['max-line-bytes']);
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes > 0))
    return usage('--max-line-bytes must be a positive whole number.');

  const config = loadConfig();
  await withCliDatabase(async (database) => {
    let ownerId: string | undefined;
    if (values['private-to']) {
      const owner = await findUserByName(database.db, values['private-to'].toLowerCase());
      if (!owner) return usage(`No user named ${values['private-to']} (create one with: npm run user -- create ${values['private-to']}).`);
      ownerId = owner.id;
    }
    if (jobs !== undefined && jobs > 1 && !database.pool)
      console.error(
        'The embedded database loads one file at a time (it is single-process): --jobs is ignored. Use DATABASE_URL for parallel imports.',
      );
    const rejectsPath = values.rejects ?? 'import-rejects.jsonl';
    const rejectsFile = fs.createWriteStream(rejectsPath);
    let rejected = 0;
    try {
      const summary = await importExport(database, {
        location: positionals[0]!,
        models: values.model?.split(','),
        sources: values.source?.split(','),
        explanations,
        explanationBatchStart,
        maxErrors,
        batchSize,
        jobs: jobs ?? DEFAULT_IMPORT_JOBS,
        maxLineBytes: maxLineBytes ?? config.maxLineBytes,
        network: config.importNetwork,
        visibility: ownerId ? 'PRIVATE' : undefined,
        ownerId,
        onEvent: progressReporter(),
        onReject: async (r: Reject) => {
          rejected++;
          // Wait for the disk when the report falls behind: a flood of rejects must not pile up in memory.
          if (!rejectsFile.write(JSON.stringify(r) + '\n')) await once(rejectsFile, 'drain');
        },
      });
      console.log(formatSummary(summary, process.resourceUsage().maxRSS * 1024));
      if (rejected > 0) console.log(`Rejected records are listed in ${rejectsPath}`);
      if (rejected > 0 || summary.files.failed > 0 || summary.files.changed > 0 || summary.files.blocked > 0) process.exitCode = 1;
    } finally {
      await new Promise((resolve) => rejectsFile.end(resolve));
      // An empty report is no report, also when the import stopped with an error.
      if (rejected === 0) fs.rmSync(rejectsPath, { force: true });
    }
  });
});
