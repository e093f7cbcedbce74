// npm run models -- fetch <model> [<sae set or source>…] | list
// Fetches weights from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN) into ENGINE_MODELS_DIR (default
// DATA_DIR/models) in the layout the built-in engine reads, and lists what is there.
import cliProgress from 'cli-progress';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { CATALOG } from '../src/engine/catalog.js';
import { formatListing, listModelsFolder } from '../src/engine/models-folder.js';
import { runCli } from '../src/run-cli.js';
import { fetchModel, type FetchProgress } from '../src/upstream/model-fetch.js';

const HELP = `Usage:
  npm run models -- fetch <model> [<sae set or source>…] [--models DIR]
  npm run models -- list [--models DIR]

fetch downloads a model (and SAE sets, or single sources such as 6-res-jb) from the Hugging Face
hub (HF_ENDPOINT, HF_TOKEN for gated repositories) into the models folder (--models, else
ENGINE_MODELS_DIR, else DATA_DIR/models). A cut download resumes when run again; every file is
checked against the hub's sha256 before it takes its name.
Known: ${Object.entries(CATALOG)
  .map(([id, m]) => `${id} (sets: ${Object.keys(m.saeSets).join(', ')})`)
  .join('; ')}

list shows each model and SAE in the folder, its size on disk and the memory it takes loaded.`;

function progressBar(): FetchProgress {
  const bar = new cliProgress.SingleBar(
    { format: '{file} [{bar}] {percentage}% {value}/{total} MB', hideCursor: true, noTTYOutput: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let bytes = 0;
  const toMb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return {
    file(dest, total, have) {
      bytes = have;
      bar.start(toMb(total), toMb(have), { file: dest });
    },
    bytes(n) {
      bytes += n;
      bar.update(toMb(bytes));
    },
    done: () => bar.stop(),
  };
}

await runCli(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { models: { type: 'string' }, help: { type: 'boolean' } } });
  const [command, ...rest] = positionals;
  if (values.help || !command) return void console.log(HELP);
  const config = loadConfig();
  const dir = values.models ?? config.engineModelsDir;
  if (command === 'list') return void console.log(formatListing(dir, listModelsFolder(dir)));
  if (command !== 'fetch' || rest.length === 0) {
    console.error(HELP);
    process.exitCode = 2;
    return;
  }
  const [model, ...sets] = rest as [string, ...string[]];
  let report;
  try {
    report = await fetchModel(config.huggingFace, dir, model, sets, progressBar());
  } catch (error) {
    // Unknown names, refusals, cuts and checksum mismatches are worded for the user: no stack.
    console.error((error as Error).message);
    process.exitCode = 1;
    return;
  }
  console.log(`${report.fetched.length} file(s) fetched, ${report.present.length} already present, in ${dir}`);
  console.log(formatListing(dir, listModelsFolder(dir)));
});
