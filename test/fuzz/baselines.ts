// Baselines: a valid-ish body for every operation, built from its schema, with the seeded data's
// real ids so that requests reach the handlers and the database.
import { SEEDED, type Fixtures, type Schema } from './case-types.js';
import { OMIT } from './json-text.js';

type Json = unknown;

// ---------------------------------------------------------------------------------------------
// Baselines

/** Plausible values by property name; anything unnamed is sampled from its schema. */
export function hint(name: string): Json | undefined {
  switch (name) {
    case 'modelId':
    case 'model':
      return SEEDED.modelId;
    case 'layer':
    case 'source':
      return SEEDED.layer;
    case 'sourceSet':
    case 'sae_set':
      return SEEDED.setName;
    case 'selectedLayers':
    case 'layers':
      return [SEEDED.layer];
    case 'index':
      return SEEDED.index;
    case 'query':
      return 'cats and dogs';
    case 'text':
    case 'customText':
    case 'prompt':
    case 'content':
      return 'The cat sat on the mat';
    case 'url':
      return 'https://example.test/fuzz';
    case 'releaseName':
      return SEEDED.release;
    case 'explanationModelName':
    case 'scorerModel':
      return 'gpt-4o-mini';
    case 'explanationType':
      return 'eleuther_acts_top20';
    case 'scorerType':
      return 'eleuther_fuzz';
    default:
      return undefined;
  }
}

function clamp(value: number, schema: Schema): number {
  return Math.min(Math.max(value, schema.minimum ?? -Infinity), schema.maximum ?? Infinity);
}

/** A value for `schema`: every property, named ones from `hint`, the first branch of a union. */
export function sample(schema: Schema, name = ''): Json {
  const named = hint(name);
  if (named !== undefined) return named;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((branch) => branch.type !== 'null') ?? schema.anyOf[0]!, name);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, sample(property, key)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items ?? {}, name));
    case 'string':
      return schema.format === 'uri' ? 'https://example.test/fuzz' : 'fuzz';
    case 'integer':
      return clamp(1, schema);
    case 'number':
      return clamp(0.5, schema);
    case 'boolean':
      return false;
    default:
      return 'fuzz';
  }
}

/**
 * Route-specific values that a schema cannot know: things the caller owns, and a fresh index or
 * name for every write so that each request creates something (the routes leave existing features
 * and names unchanged). `n` is unique per request.
 */
function overrides(path: string, f: Fixtures, n: number): Record<string, Json> | Json[] | undefined {
  const feature = {
    index: 1000 + n,
    density: 0.01,
    topLogits: [{ token: 'Ġcat', value: 1.5 }],
    bottomLogits: [{ token: 'Ġdog', value: -1.5 }],
    explanations: [{ text: 'cats', methodName: 'np_max-act-logits', modelName: 'gpt-4o-mini' }],
    activations: [{ tokens: ['a', 'b'], values: [0.5, 1], quantileMax: 1, quantileMin: 0, quantileFraction: 0.5 }],
  };
  const vector = {
    modelId: f.ownModel,
    layerNumber: 0,
    hookType: 'hook_resid_pre',
    vector: [0.1, 0.2, 0.3, 0.4],
    vectorDefaultSteerStrength: 10,
    vectorLabel: 'fuzz',
    visibility: 'PUBLIC',
  };
  const steerFeature = { modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, strength: 10 };
  switch (path) {
    case '/api/features':
      return [{ modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, maxActsToReturn: 2 }];
    case '/api/model/new':
      return { id: `fz-m${n}`, layers: 2, displayName: 'Fuzz', dimension: 4, visibility: 'PUBLIC' };
    case '/api/source-set/new':
      return { name: `fzs${n}`, modelId: f.ownModel, description: 'fuzz', visibility: 'PUBLIC' };
    case '/api/vector/new':
    case '/api/upload/vector':
      return vector;
    case '/api/vector/get':
      return f.vector;
    case '/api/vector/delete':
      return f.spareVector;
    case '/api/feature/upload-batch':
    case '/api/upload/dashboard':
      return { modelId: f.ownModel, source: f.ownSource, features: [feature] };
    case '/api/activation/upload-batch':
      return { ...f.vector, activations: [{ tokens: ['a', 'b'], values: [0.5, 1] }] };
    case '/api/list/new':
      return { name: 'fuzz list', description: 'fuzz', testText: 'The cat' };
    case '/api/list/add-features':
      return {
        listId: f.listId,
        featuresToAdd: [{ modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, description: 'fuzz' }],
      };
    case '/api/list/get':
      return { listId: f.listId };
    case '/api/list/remove':
      return { listId: f.listId, modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index };
    case '/api/list/delete':
      return { listId: f.spareListId };
    case '/api/explanation/score':
    case '/api/score-type/eleuther_fuzz':
    case '/api/score-type/eleuther_recall':
    case '/api/score-type/eleuther_embedding':
      return { explanationId: f.explanationId };
    case '/api/activation/new':
      return {
        feature: { modelId: SEEDED.modelId, source: SEEDED.layer, index: SEEDED.index },
        neuron: OMIT,
        customText: 'The cat sat',
        ignoreBos: false,
      };
    case '/api/steer':
      return { features: [steerFeature], n_tokens: 8, temperature: 0.5, seed: 42, strength_multiplier: 1 };
    case '/api/steer-chat':
      return {
        defaultChatMessages: [{ role: 'user', content: 'hi' }],
        steeredChatMessages: [{ role: 'user', content: 'hi' }],
        features: [steerFeature],
        n_tokens: 8,
        steer_special_tokens: false,
        temperature: 0.5,
        seed: 42,
        strength_multiplier: 1,
      };
    case '/api/steer-load':
      return { steerOutputId: 'no-such-steer-output' };
    case '/api/test':
      return { apiKey: f.userKey };
    case '/api/list/update':
      return { listId: f.listId, name: 'fuzz list', description: 'fuzz' };
    case '/api/list/edit-feature':
      return { listId: f.listId, modelId: SEEDED.modelId, layer: SEEDED.layer, index: SEEDED.index, description: 'fuzz' };
    case '/api/model/get':
      return { id: SEEDED.modelId };
    case '/api/model/head-metrics/get':
    case '/api/model/head-sequences/get':
      return { modelId: SEEDED.modelId, layer: 0, headIndex: 0 };
    case '/api/model/head-attention/get':
      return { modelId: SEEDED.modelId, layer: 0, headIndex: 0, text: 'The cat sat' };
    case '/api/graph/signed-put':
      return { filename: 'fuzz-graph.json', contentLength: 4096 };
    case '/api/graph/subgraph/save':
      // A new subgraph (no overwriteId) of a graph the fixtures do not hold: the graph lookup's 404.
      return { overwriteId: OMIT };
    default:
      return undefined;
  }
}

export function baselineBody(path: string, schema: Schema, f: Fixtures, n: number): Json {
  const sampled = sample(schema);
  const patch = overrides(path, f, n);
  if (Array.isArray(patch) || patch === undefined) return patch ?? sampled;
  const merged: Record<string, Json> = { ...(sampled as Record<string, Json>), ...patch };
  for (const [key, value] of Object.entries(merged)) if (value === OMIT) delete merged[key];
  return merged;
}
