// POST /api/steer-load: a saved steering result by id (the STEERED output's), with the DEFAULT
// output shown beside it, the settings and the features, in steer-chat's shape (upstream
// app/api/steer-load). Outputs whose model or features the caller may not read are not found.
import { readableSources, sourceKey } from '../access/readable-sources.js';
import { canRead, canReadAll, featureGuard, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listExplanationRows } from '../../db/queries/explanations.js';
import { findModel } from '../../db/queries/models.js';
import { findNeurons } from '../../db/queries/neurons.js';
import { findSavedOutput, findSteerOutput, listSteeringFeatures } from '../../db/queries/steer-outputs.js';
import { InvalidInput, NotFound } from '../../errors.js';
import { parseLogprobs, shareUrlOf } from './steer-common.js';

const outputOf = (row: { outputText: string; outputTextChatTemplate: string | null; logprobs: string | null }) => ({
  raw: row.outputText,
  chatTemplate: row.outputTextChatTemplate ? (JSON.parse(row.outputTextChatTemplate) as unknown[]) : null,
  logprobs: parseLogprobs(row.logprobs),
});

const keyOf = (f: { modelId: string; layer: string; index: string }) => `${f.modelId}\u0000${f.layer}\u0000${f.index}`;

export async function loadSteerOutput(db: Db, id: string, viewer: Viewer | null, publicUrl: string) {
  const notFound = new NotFound(`No steering result with id "${id}".`);
  const steered = await findSteerOutput(db, id);
  if (!steered) throw notFound;
  const [model, links] = await Promise.all([findModel(db, steered.modelId), listSteeringFeatures(db, [steered.id])]);
  const features = links.get(steered.id) ?? [];
  const [readable, neurons, explanations] = await Promise.all([
    readableSources(db, features, viewer),
    findNeurons(db, features),
    listExplanationRows(db, features),
  ]);
  const neuronOf = new Map(neurons.map((n) => [keyOf(n), n]));
  const allowed =
    model !== undefined &&
    canRead(model, viewer) &&
    features.every((f) => {
      const neuron = neuronOf.get(keyOf(f));
      return neuron && readable.has(sourceKey(f.modelId, f.layer)) && canReadAll([featureGuard(neuron)], viewer);
    });
  if (!allowed) throw notFound;

  // Outputs saved without a link (completions): the DEFAULT made with the same input and settings.
  const connected = steered.connectedDefaultOutputId ? await findSteerOutput(db, steered.connectedDefaultOutputId) : undefined;
  const defaultOutput =
    connected ??
    (await findSavedOutput(
      db,
      'DEFAULT',
      { ...steered, steerSpecialTokens: steered.steerSpecialTokens },
      steered.inputTextChatTemplateMd5
        ? { inputTextChatTemplateMd5: steered.inputTextChatTemplateMd5 }
        : { inputTextMd5: steered.inputTextMd5 ?? '' },
      [],
    ));
  if (!defaultOutput) throw new InvalidInput('Unable to find default steer output');

  const axis = [steered, defaultOutput].flatMap((row) => (row.capMonitorOutput ? [JSON.parse(row.capMonitorOutput) as object] : []));
  return {
    STEERED: outputOf(steered),
    DEFAULT: outputOf(defaultOutput),
    inputText: steered.inputText,
    // Outputs saved before version 2 had the prompt in front of the generated text.
    outputTextIncludesPrompt: steered.version < 2 && !steered.outputTextChatTemplate,
    id: steered.id,
    shareUrl: shareUrlOf(publicUrl, steered.id),
    limit: '0',
    settings: {
      temperature: steered.temperature,
      n_tokens: steered.numTokens,
      freq_penalty: steered.freqPenalty,
      seed: steered.seed,
      strength_multiplier: steered.strengthMultiplier,
      steer_special_tokens: steered.steerSpecialTokens,
      steer_method: steered.steerMethod,
    },
    features: features.map((f) => {
      const neuron = neuronOf.get(keyOf(f))!;
      return {
        ...f,
        steerOutputId: steered.id,
        neuron: { explanations: explanations.filter((e) => keyOf(e) === keyOf(f)), vector: neuron.vector, vectorLabel: neuron.vectorLabel },
      };
    }),
    ...(axis.length > 0 ? { assistant_axis: axis } : {}),
  };
}
