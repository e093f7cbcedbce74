// Client for Neuronpedia's graph server (apps/graph): POST /generate-graph computes an attribution
// graph and PUTs the JSON to the `signed_url` it is given (here, an upload URL of this mirror), then
// answers `{success}` or `{error}`. Authenticated with x-secret-key (GRAPH_SERVER_SECRET).
import { UpstreamFailed, UpstreamTimeout } from '../errors.js';

export interface GraphServerSettings {
  url: string;
  secret: string | undefined;
  /** Generation takes tens of seconds to minutes on a GPU. */
  timeoutMs: number;
}

/** The body upstream's generateGraphAndUploadToS3 sends. */
export interface GenerateGraphRequest {
  prompt: string;
  model_id: string;
  batch_size: number;
  max_n_logits: number;
  desired_logit_prob: number;
  node_threshold: number;
  edge_threshold: number;
  slug_identifier: string;
  max_feature_nodes: number;
  signed_url: string;
  user_id: string;
  compress: boolean;
}

export interface GraphServerClient {
  generate(body: GenerateGraphRequest): Promise<void>;
}

export function graphServerClient(settings: GraphServerSettings, fetchImpl: typeof fetch = fetch): GraphServerClient {
  const base = settings.url.replace(/\/+$/, '');
  return {
    async generate(body) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}/generate-graph`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(settings.secret ? { 'x-secret-key': settings.secret } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError')
          throw new UpstreamTimeout(`The graph server did not answer within ${settings.timeoutMs} ms.`);
        throw new UpstreamFailed('The graph server is unavailable. Please try again shortly.');
      }
      const text = await response.text();
      let json: { error?: unknown } | undefined;
      try {
        json = JSON.parse(text) as { error?: unknown };
      } catch {
        json = undefined;
      }
      // Upstream reads `error` first, whatever the status.
      if (json && typeof json.error === 'string' && json.error)
        throw new UpstreamFailed(`The graph server failed: ${json.error.slice(0, 500)}`);
      if (response.status === 503) throw new UpstreamFailed('Sorry, all GPUs are currently busy. Please try again in a minute.');
      if (!response.ok) throw new UpstreamFailed(`The graph server answered HTTP ${response.status}: ${text.slice(0, 200)}`);
      if (!json) throw new UpstreamFailed('The graph server answered something that is not JSON.');
    },
  };
}
