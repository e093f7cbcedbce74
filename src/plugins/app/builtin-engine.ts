// Hosts written `builtin` in INFERENCE_HOSTS (`gpt2-small=builtin`) are this mirror's own engine:
// an engine server (src/engine/server) on a loopback port of this process, computing in its worker
// thread, with a secret of its own. The inference client then calls it as any other host, so the
// routes, their cache, limits, timeouts and streams work unchanged.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { buildEngineServer } from '../../engine/server/app.js';
import { BUILTIN_HOST, type InferenceHostRule } from '../../upstream/inference/hosts.js';

/** The rules with every `builtin` host pointed at a started engine server (none started if unused). */
export async function withBuiltinEngine(fastify: FastifyInstance, config: Config): Promise<InferenceHostRule[]> {
  const rules = config.inferenceHosts;
  if (!rules.some((r) => r.hosts.some((h) => h.url === BUILTIN_HOST))) return rules;
  const secret = randomBytes(24).toString('base64url');
  const engine = await buildEngineServer({
    modelsDir: config.engineModelsDir,
    secret,
    threads: config.engineThreads,
    memoryMb: config.engineMemoryMb,
    logLevel: config.logLevel,
  });
  const url = await engine.listen({ port: 0, host: '127.0.0.1' });
  fastify.addHook('onClose', () => engine.close());
  fastify.log.info({ url, modelsDir: config.engineModelsDir }, 'built-in inference engine started');
  return rules.map((r) => ({ ...r, hosts: r.hosts.map((h) => (h.url === BUILTIN_HOST ? { ...h, url, secret } : h)) }));
}
