// What a steering request steers with: each named feature must exist and be readable by the
// caller (else the real server's 404, so private features cannot be steered by others), and
// uploaded vectors cannot be mixed with SAE features.
import { cachedNeurons } from '../access/cached-rows.js';
import { readableSources, sourceKey } from '../access/readable-sources.js';
import type { FeatureCache } from '../feature/feature-cache.js';
import { canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { type NeuronRow } from '../../db/queries/features.js';
import { type SteeringFeature } from '../../db/queries/steer-outputs.js';
import { setNameOfSource } from '../upload/features-upload.js';
import { InvalidInput, NotFound } from '../../errors.js';
import type { InferenceTarget } from '../../upstream/inference/hosts.js';

export interface ResolvedSteering {
  features: SteeringFeature[];
  /** Steering with uploaded vectors (sent as `vectors`), not SAE features (sent as `features`). */
  hasVector: boolean;
  /** Where to run it: any server of the model for vectors, one with the source set loaded for SAE features. */
  target: InferenceTarget;
  /** The inference request's `features` or `vectors` field. */
  inferenceSteering: { features: object[] } | { vectors: object[] };
}

const keyOf = (f: { modelId: string; layer: string; index: string }) => `${f.modelId}\u0000${f.layer}\u0000${f.index}`;

export async function resolveSteering(
  db: Db,
  modelId: string,
  features: SteeringFeature[],
  viewer: Viewer | null,
  cache?: FeatureCache,
): Promise<ResolvedSteering> {
  const [readable, neurons] = await Promise.all([readableSources(db, features, viewer, cache), cachedNeurons(db, cache, features)]);
  const byKey = new Map<string, NeuronRow>(neurons.map((n) => [keyOf(n), n]));
  const resolved = features.map((feature) => {
    const neuron = byKey.get(keyOf(feature));
    if (!neuron || !readable.has(sourceKey(feature.modelId, feature.layer)) || !canReadAll([featureGuard(neuron)], viewer))
      throw new NotFound();
    return { feature, neuron };
  });
  const vectors = resolved.filter((r) => r.neuron.vector.length > 0);
  if (vectors.length > 0 && vectors.length < resolved.length) throw new InvalidInput("Can't steer both vector and non-vector features");
  const hasVector = vectors.length > 0;
  const first = features[0];
  return {
    features,
    hasVector,
    target: { modelId, sourceSet: hasVector || !first ? undefined : setNameOfSource(first.layer) },
    inferenceSteering: hasVector
      ? {
          vectors: resolved.map(({ feature, neuron }) => ({
            hook: neuron.hookName ?? '',
            steeringVector: neuron.vector,
            strength: feature.strength,
          })),
        }
      : {
          features: resolved.map(({ feature }) => ({
            model: feature.modelId,
            source: feature.layer,
            index: Number(feature.index),
            strength: feature.strength,
          })),
        },
  };
}
