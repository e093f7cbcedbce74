// Runs the built-in inference engine as an inference server that speaks Neuronpedia's /v1
// protocol, so any mirror can list it in INFERENCE_HOSTS:
//   npm run inference -- --models ./models [--port 5002] [--host 127.0.0.1] [--secret S]
// The models folder holds <model id>/{config.json,model.safetensors} and
// <model id>/saes/<source id>/{cfg.json,sae_weights.safetensors}.
import { parseArgs } from 'node:util';
import { configureMatmul } from '../src/engine/matmul.js';
import { Registry } from '../src/engine/registry.js';
import { buildEngineServer } from '../src/engine/server/app.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: process.env.ENGINE_MODELS_DIR },
    port: { type: 'string', default: process.env.PORT ?? '5002' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    secret: { type: 'string', default: process.env.SECRET },
    'token-limit': { type: 'string', default: process.env.TOKEN_LIMIT ?? '400' },
    threads: { type: 'string', default: process.env.ENGINE_THREADS ?? '1' },
    'memory-mb': { type: 'string', default: process.env.ENGINE_MEMORY_MB },
  },
});

if (!values.models) {
  console.error('usage: npm run inference -- --models <folder> [--port 5002] [--host 127.0.0.1] [--secret S] [--memory-mb N]');
  process.exit(2);
}
const backend = configureMatmul({ threads: Number(values.threads) });
const registry = new Registry(values.models);
const models = registry.modelIds();
const app = await buildEngineServer({
  modelsDir: values.models,
  secret: values.secret,
  tokenLimit: Number(values['token-limit']),
  threads: Number(values.threads),
  memoryMb: values['memory-mb'] ? Number(values['memory-mb']) : undefined,
  logLevel: 'info',
});
await app.listen({ port: Number(values.port), host: values.host });
console.log(
  `inference engine on http://${values.host}:${values.port} (matmul ${backend}); models: ${
    models.map((m) => `${m} [${registry.sourceIds(m).join(', ')}]`).join('; ') || `none in ${values.models}`
  }`,
);
