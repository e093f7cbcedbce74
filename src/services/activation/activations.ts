// Activations of new text through the inference server: one feature or steering vector
// (POST /api/activation/new, upstream's getActivationForFeature), or every feature of a source
// (POST /api/activation/source).
import { inferenceModelName, readableSource } from '../access/inference-access.js';
import { canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { findNeurons } from '../../db/queries/neurons.js';
import { NotFound } from '../../errors.js';
import type { InferenceClient } from '../../upstream/inference/client.js';

interface SingleResult {
  activation: {
    values: number[];
    maxValue: number;
    maxValueIndex: number;
    dfaValues?: number[] | null;
    dfaTargetIndex?: number | null;
    dfaMaxValue?: number | null;
  };
  tokens: string[];
  tokensIsSpecial?: boolean[];
}

const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : 0);
const min = (values: number[]) => (values.length > 0 ? Math.min(...values) : 0);

/** Upstream's activation object; with ignoreBos a leading special token is dropped and maxima recomputed. */
function activationOf(key: FeatureKey, result: SingleResult, creatorId: string, ignoreBos: boolean) {
  const dropFirst = ignoreBos && result.tokens.length > 0 && result.tokensIsSpecial?.[0] === true;
  const tokens = dropFirst ? result.tokens.slice(1) : result.tokens;
  const values = dropFirst ? result.activation.values.slice(1) : result.activation.values;
  const dfaValues = result.activation.dfaValues
    ? dropFirst
      ? result.activation.dfaValues.slice(1)
      : result.activation.dfaValues
    : undefined;
  const maxValue = max(values);
  return {
    tokens,
    values,
    maxValue,
    minValue: min(values),
    modelId: key.modelId,
    layer: key.layer,
    index: key.index,
    creatorId,
    dataIndex: null,
    dataSource: 'Neuronpedia',
    maxValueTokenIndex: values.indexOf(maxValue),
    createdAt: new Date(),
    ...(dfaValues
      ? dropFirst
        ? { dfaValues, dfaMaxValue: max(dfaValues), dfaTargetIndex: dfaValues.indexOf(max(dfaValues)) }
        : {
            dfaValues,
            ...(result.activation.dfaTargetIndex != null ? { dfaTargetIndex: result.activation.dfaTargetIndex } : {}),
            ...(result.activation.dfaMaxValue != null ? { dfaMaxValue: result.activation.dfaMaxValue } : {}),
          }
      : {}),
  };
}

export async function activationForText(
  db: Db,
  inference: InferenceClient,
  key: FeatureKey,
  text: string | string[],
  ignoreBos: boolean,
  viewer: Viewer | null,
) {
  const { model, sourceSet } = await readableSource(db, key.modelId, key.layer, viewer);
  const [neuron] = await findNeurons(db, [key]);
  // A missing feature and one the caller may not read give the same 404, and neither reaches the model.
  if (!neuron || !canReadAll([featureGuard(neuron)], viewer)) throw new NotFound();
  const isVector = neuron.vector.length > 0;
  // A vector needs only the model; an SAE feature needs a server with its source set loaded.
  const target = { modelId: model.id, sourceSet: isVector ? undefined : sourceSet?.name };
  const what = isVector ? { vector: neuron.vector, hook: neuron.hookName ?? '' } : { source: key.layer, index: key.index };
  const base = { model: inferenceModelName(model), ...what };
  const creatorId = viewer?.id ?? '';
  if (Array.isArray(text)) {
    const batch = await inference.post<{ results: SingleResult[] }>(target, '/v1/activation/single-batch', { prompts: text, ...base });
    return batch.results.map((r) => activationOf(key, r, creatorId, ignoreBos));
  }
  return activationOf(
    key,
    await inference.post<SingleResult>(target, '/v1/activation/single', { prompt: text, ...base }),
    creatorId,
    ignoreBos,
  );
}

export async function activationsOfSource(
  db: Db,
  inference: InferenceClient,
  modelId: string,
  sourceId: string,
  prompts: string[],
  viewer: Viewer | null,
) {
  const { model, sourceSet } = await readableSource(db, modelId, sourceId, viewer);
  return inference.post<{ results: Array<{ tokens: string[]; activeFeatures?: Record<string, Array<[number, number]>> | null }> }>(
    { modelId: model.id, sourceSet: sourceSet?.name },
    '/v1/activation/source',
    { prompts, model: inferenceModelName(model), source: sourceId },
  );
}
