// POST /api/vector/get: a stored vector, or an SAE feature's decoder vector from the inference server.
import type { Db } from '../../db/client.js';
import { findNeuron } from '../../db/queries/neurons.js';
import { DomainError, NotFound } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { vectorKey, type VectorRef } from './feature-ref.js';
import { fetchSaeVector, type SaeVector } from './sae-vector.js';

export async function getVector(db: Db, inference: InferenceClient, viewer: Viewer | null, ref: VectorRef) {
  const key = vectorKey(ref);
  const neuron = await findNeuron(db, key.modelId, key.layer, key.index);
  if (neuron && !(await canReadFeature(db, key, viewer))) throw new NotFound('Vector not found');
  if (neuron && neuron.vector.length > 0) {
    const { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector } = neuron;
    return { modelId, layer, index, vectorLabel, createdAt, creatorId, vectorDefaultSteerStrength, hookName, vector };
  }
  // An SAE feature's vector is not stored: the inference server computes it (upstream's answer shape).
  let fromModel: SaeVector | undefined;
  try {
    fromModel = await fetchSaeVector(db, inference, key.modelId, key.layer, key.index, viewer);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new NotFound('Vector not found');
    throw error;
  }
  if (!fromModel) throw new NotFound('Vector not found');
  return {
    modelId: key.modelId,
    layer: key.layer,
    index: key.index,
    vectorLabel: '',
    hookName: fromModel.hookName,
    vector: fromModel.vector,
    vectorDefaultSteerStrength: 10,
  };
}
