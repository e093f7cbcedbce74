// npm run make-sample-export -- <out-folder> [options]: writes a small export in Neuronpedia's v1 layout.
import { parseArgs } from 'node:util';
import { writeSampleExport } from '../src/ingest/sample/sample-export.js';
import { runCli } from '../src/run-cli.js';

const HELP = `Usage: npm run make-sample-export -- <out-folder> [options]

Writes <out-folder>/v1/... in Neuronpedia's export layout (config/, <model>/<source>/...).

Options:
  --model ID              model id (default gpt2-small)
  --set NAME              source set name (default res-jb)
  --layers 6,7            layers, one source each (default 6)
  --features N            features per source (default 300)
  --activations N         activations per feature (default 5)
  --tokens N              tokens per activation (default 24)
  --explanations N        explanations per feature (default 1)
  --plain                 write batches as .jsonl instead of .jsonl.gz
  --bad                   add deliberately bad records (malformed, wrong types, missing parents)
  --seed N                seed for the values (default 42)
  -h, --help              this help`;

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      set: { type: 'string' },
      layers: { type: 'string' },
      features: { type: 'string' },
      activations: { type: 'string' },
      tokens: { type: 'string' },
      explanations: { type: 'string' },
      plain: { type: 'boolean' },
      bad: { type: 'boolean' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(HELP);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const started = performance.now();
  const { root, sources } = await writeSampleExport(positionals[0]!, {
    modelId: values.model,
    setName: values.set,
    layers: values.layers?.split(',').map(Number),
    featuresPerSource: num(values.features),
    activationsPerFeature: num(values.activations),
    tokensPerActivation: num(values.tokens),
    explanationsPerFeature: num(values.explanations),
    plain: values.plain,
    bad: values.bad,
    seed: num(values.seed),
  });
  console.log(
    `Wrote ${sources.length} source(s) (${sources.join(', ')}) under ${root} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
});
