// Hosts written `builtin` in INFERENCE_HOSTS (`gpt2-small=builtin`) are this machine's own engine:
// an engine server (src/engine/server) on a loopback port, computing in its worker thread, with a
// secret of its own, started by the first mirror process on the models folder and shared by the
// others (shared-engine.ts). The inference client then calls it as any other host, so the routes,
// their cache, limits, timeouts and streams work unchanged; the host's address is read at each call,
// so a follower that takes over from a dead owner is used at once.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { BUILTIN_HOST, type InferenceHost, type InferenceHostRule } from '../../upstream/inference/hosts.js';
import { SharedEngine } from './shared-engine.js';

/** The rules with every `builtin` host pointed at the machine's engine (none started if unused). */
export async function withBuiltinEngine(fastify: FastifyInstance, config: Config): Promise<InferenceHostRule[]> {
  const rules = config.inferenceHosts;
  if (!rules.some((r) => r.hosts.some((h) => h.url === BUILTIN_HOST))) return rules;
  const engine = await SharedEngine.start(config, fastify.log);
  fastify.addHook('onClose', () => engine.close());
  const live = (h: InferenceHost): InferenceHost => ({
    timeoutMs: h.timeoutMs,
    get url() {
      return engine.url;
    },
    get secret() {
      return engine.secret;
    },
  });
  return rules.map((r) => ({ ...r, hosts: r.hosts.map((h) => (h.url === BUILTIN_HOST ? live(h) : h)) }));
}
