// The current official Python client (webapp-python-client/ in the neuronpedia monorepo, 2.0.0), the
// rest of its public methods: models, source sets, feature upload and read, and
// searches by text, replayed on a real socket with its exact bytes (fixtures/python-requests.ts), checking
// every field it parses. Vectors, steering, activations and lists: compat-python-client.test.ts; graphs:
// compat-python-client-graphs.test.ts.
//
//   Model.new(id, layers, display_name, url)   ModelRequest.new: POST model/new {id, layers, displayName, url};
//       reads id, layers, displayName, website
//   SourceSet.new(name, model_id, description, url)   SourceSetRequest.new: POST source-set/new
//       {name, modelId, description, url}; SourceSet.get(model_id, name): GET source-set/{model}/{name};
//       both read name, modelId, description, urls[0], sources[].{id, modelId, setName}
//       (get_source_for_layer_number finds "{layer}-{name}")
//   Source.upload_batch(features)   FeatureRequest.upload_batch: POST feature/upload-batch {modelId, source,
//       features:[{index, density, activations:[{tokens, values, quantileMax, quantileMin, quantileFraction}],
//       explanations:[{text, methodName, modelName}], topLogits, bottomLogits}]} (None sent as null); returns the JSON
//   Feature.get(model_id, source, index)   FeatureRequest.get: GET feature/{model}/{source}/{index}; reads
//       modelId, layer, index, frac_nonzero, explanations[].{modelId, source, index, description, typeName?,
//       explanationModelName?}, activations[].{tokens, values (same length), modelId, source, index, binMax,
//       binMin, binContains (0..1 or null)}
//   SAEFeature.get(model_id, source, index)   the same GET; reads modelId, layer, index, dumps the rest
//   SourceActivationRequest.compute_top_features_for_text(s)   POST search-all/ {text (one or a list),
//       modelId, sourceSet, selectedLayers, ignoreBos, sortIndexes, densityThreshold, numResults};
//       reads tokens, result[].{modelId, layer, index, values}; for a list results[].{tokens, result[]}
//   TopKByTokenRequest.compute_top_features_by_token_for_text(s)   POST search-topk-by-token/ {modelId, source,
//       text (one or a list), numResults, ignoreBos, densityThreshold}; reads results[].{position, token,
//       topFeatures[].{featureIndex, activationValue}}; for a list results[].results[]
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explanationModelType, explanationType } from '../src/db/schema/index.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';
import { need, pythonRequests } from './fixtures/python-requests.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { buildTestApp, type TestContext } from './helper.js';

let ctx: TestContext;
let inference: InferenceDouble;
let py: ReturnType<typeof pythonRequests>;

beforeAll(async () => {
  inference = await startInferenceDouble({ model: 'gpt2-small' });
  inference.sourceSets = { 'res-jb': ['6-res-jb'] };
  ctx = await buildTestApp({ INFERENCE_HOSTS: `gpt2-small=${inference.url}`, INFERENCE_SECRET: inference.secret });
  const { key } = await userWithKey(ctx.database.db, 'py');
  await seedSource(ctx.database.db, { features: 4, activationsPerFeature: 2 });
  // The explanation method and model an upload names must be known, as upstream checks.
  const now = new Date();
  const named = { displayName: 'x', description: 'x', creatorName: 'x', createdAt: now, updatedAt: now };
  await ctx.database.db.insert(explanationType).values({ name: 'oai_token-act-pair', creatorId: 'x', ...named });
  await ctx.database.db.insert(explanationModelType).values({ name: 'gpt-4o-mini', ...named });
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  py = pythonRequests(Number(new URL(address).port), () => key);
});
afterAll(async () => {
  await ctx?.close();
  await inference?.close();
});

/** FeatureRequest.get's parsing: Feature, Explanation.from_np_db_json, Activation.from_np_db_json. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON
function parseFeature(result: any) {
  return {
    modelId: need(result, 'modelId'),
    source: need(result, 'layer'),
    index: need(result, 'index'),
    density: need(result, 'frac_nonzero'),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    explanations: need(result, 'explanations').map((e: any) => ({
      modelId: need(e, 'modelId'),
      source: need(e, 'source'),
      index: Number.parseInt(need(e, 'index'), 10),
      text: need(e, 'description'),
      method: e.typeName ?? null,
      explainerModel: e.explanationModelName ?? null,
    })),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    activations: need(result, 'activations').map((a: any) => {
      expect(need(a, 'tokens')).toHaveLength(need(a, 'values').length);
      const fraction = need(a, 'binContains');
      if (fraction !== null) expect(fraction >= 0 && fraction <= 1).toBe(true); // __post_init__ raises otherwise
      return {
        source: need(a, 'source'),
        index: Number.parseInt(need(a, 'index'), 10),
        modelId: need(a, 'modelId'),
        tokens: a.tokens,
        values: a.values,
        quantile: [need(a, 'binMax'), need(a, 'binMin'), fraction],
      };
    }),
  };
}

describe('the Python client: models, source sets and features', () => {
  it('Model.new with and without its optional fields', async () => {
    const m = await py.ok(
      py.sendRequest('model', 'new', 'POST', { id: 'pup-model', layers: 3, displayName: 'Pup', url: 'https://pup.test/' }),
    );
    expect([need(m, 'id'), need(m, 'layers'), need(m, 'displayName'), need(m, 'website')]).toEqual([
      'pup-model',
      3,
      'Pup',
      'https://pup.test/',
    ]);
    const bare = await py.ok(py.sendRequest('model', 'new', 'POST', { id: 'bare-model', layers: 1, displayName: null, url: null }));
    expect([bare.id, bare.layers, need(bare, 'displayName'), need(bare, 'website')]).toEqual(['bare-model', 1, 'bare-model', null]);
  });

  it('SourceSet.new and SourceSet.get; get_source_for_layer_number finds "1-puppyscope"', async () => {
    const parse = (j: Record<string, unknown>) => ({
      name: need(j, 'name'),
      modelId: need(j, 'modelId'),
      description: need(j, 'description'),
      url: (need(j, 'urls') as string[])[0],
      sources: (need(j, 'sources') as object[]).map((s) => [need(s, 'id'), need(s, 'modelId'), need(s, 'setName')]),
    });
    const body = { name: 'puppyscope', modelId: 'pup-model', description: 'Puppy', url: 'https://pup.test/sae' };
    const created = parse(await py.ok(py.sendRequest('source-set', 'new', 'POST', body)));
    const got = parse(await py.ok(py.sendRequest('source-set', 'pup-model/puppyscope', 'GET')));
    expect(got).toEqual(created);
    expect(got).toMatchObject({ name: 'puppyscope', modelId: 'pup-model', description: 'Puppy', url: 'https://pup.test/sae' });
    expect(got.sources.map((s) => s[0])).toEqual(['0-puppyscope', '1-puppyscope', '2-puppyscope']);
    expect(got.sources[1]).toEqual(['1-puppyscope', 'pup-model', 'puppyscope']);
  });

  it('Source.upload_batch with None as null, then Feature.get reads back what was sent', async () => {
    const act = (tokens: string[], values: number[], q: Array<number | null> = [null, null, null]) => ({
      tokens,
      values,
      quantileMax: q[0],
      quantileMin: q[1],
      quantileFraction: q[2],
    });
    const answer = await py.ok(
      py.sendRequest('feature', 'upload-batch', 'POST', {
        modelId: 'pup-model',
        source: '1-puppyscope',
        features: [
          {
            index: 0,
            density: 0.01,
            activations: [act(['a', ' pup'], [0, 2.5], [3, 0, 0.5])],
            explanations: [{ text: 'puppies', methodName: 'oai_token-act-pair', modelName: 'gpt-4o-mini' }],
            topLogits: [{ token: ' dog', value: 1.5 }],
            bottomLogits: [{ token: ' cat', value: -1.5 }],
          },
          {
            index: 1,
            density: null,
            activations: [act(['x'], [1])],
            explanations: [{ text: 'ex', methodName: null, modelName: null }],
            topLogits: null,
            bottomLogits: null,
          },
        ],
      }),
    );
    expect(answer).toEqual({ message: '2 features created.' });
    const zero = parseFeature(await py.ok(py.sendRequest('feature', 'pup-model/1-puppyscope/0', 'GET')));
    expect(zero).toMatchObject({ modelId: 'pup-model', source: '1-puppyscope', index: '0', density: 0.01 });
    expect(zero.explanations).toEqual([
      {
        modelId: 'pup-model',
        source: '1-puppyscope',
        index: 0,
        text: 'puppies',
        method: 'oai_token-act-pair',
        explainerModel: 'gpt-4o-mini',
      },
    ]);
    expect(zero.activations).toEqual([
      { modelId: 'pup-model', source: '1-puppyscope', index: 0, tokens: ['a', ' pup'], values: [0, 2.5], quantile: [3, 0, 0.5] },
    ]);
    const one = parseFeature(await py.ok(py.sendRequest('feature', 'pup-model/1-puppyscope/1', 'GET')));
    expect(one.density).toBe(-1); // upstream stores a missing density as -1
    expect(one.explanations[0]).toMatchObject({ text: 'ex', method: null, explainerModel: null });
    expect(one.activations[0].quantile).toEqual([null, null, null]);
  });

  it('Feature.get and SAEFeature.get of an imported SAE feature', async () => {
    const result = await py.ok(py.sendRequest('feature', 'gpt2-small/6-res-jb/1', 'GET'));
    const feature = parseFeature(result);
    expect([feature.modelId, feature.source, feature.index]).toEqual(['gpt2-small', '6-res-jb', '1']);
    expect(feature.activations).toHaveLength(2);
    expect(feature.activations.every((a: { source: string; index: number }) => a.source === '6-res-jb' && a.index === 1)).toBe(true);
    expect(feature.explanations[0]).toMatchObject({ modelId: 'gpt2-small', source: '6-res-jb', index: 1 });
  });
});

describe('the Python client: searches by text', () => {
  const search = (text: string | string[]) => ({
    text,
    modelId: 'gpt2-small',
    sourceSet: 'res-jb', // _get_source_set_from_source("6-res-jb")
    selectedLayers: ['6-res-jb'],
    ignoreBos: true,
    sortIndexes: [],
    densityThreshold: -1,
    numResults: 20,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const activations = (result: any[], tokens: string[]) =>
    result.map((item) => ({
      source: need(item, 'layer'),
      index: need(item, 'index'),
      model: need(item, 'modelId'),
      values: need(item, 'values'),
      tokens,
    }));

  it('compute_top_features_for_text: Activations over the tokens, one per feature', async () => {
    const data = await py.ok(py.sendRequest('search-all', '', 'POST', search('the quick brown fox')));
    const acts = activations(need(data, 'result'), need(data, 'tokens'));
    expect(acts.length).toBeGreaterThan(0);
    for (const a of acts) expect([a.model, a.source, a.values.length]).toEqual(['gpt2-small', '6-res-jb', a.tokens.length]);
  });

  it('compute_top_features_for_texts: one list of Activations per text, in order', async () => {
    const data = await py.ok(py.sendRequest('search-all', '', 'POST', search(['the quick brown fox', 'a lazy dog'])));
    const results = need(data, 'results');
    expect(results).toHaveLength(2);
    expect(need(results[1], 'tokens')).toEqual(['<|endoftext|>', 'a', ' lazy', ' dog']);
    for (const r of results) for (const a of activations(need(r, 'result'), r.tokens)) expect(a.values).toHaveLength(a.tokens.length);
  });

  const topk = (text: string | string[], numResults: number) => ({
    modelId: 'gpt2-small',
    source: '6-res-jb',
    text,
    numResults,
    ignoreBos: true,
    densityThreshold: 0,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const byToken = (items: any[]) =>
    items.map((item) => ({
      position: need(item, 'position'),
      token: need(item, 'token'),
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      top: need(item, 'topFeatures').map((f: any) => [need(f, 'featureIndex'), need(f, 'activationValue')]),
    }));

  it('compute_top_features_by_token_for_text and _for_texts: positions, tokens and integer feature indexes', async () => {
    const one = byToken(need(await py.ok(py.sendRequest('search-topk-by-token', '', 'POST', topk('the quick brown fox', 5))), 'results'));
    expect(one.map((r) => r.token)).toEqual(['the', ' quick', ' brown', ' fox']); // ignoreBos drops the BOS
    expect(one.map((r) => r.position)).toEqual([1, 2, 3, 4]);
    for (const r of one) for (const [index, value] of r.top) expect([Number.isInteger(index), typeof value]).toEqual([true, 'number']);
    const many = need(await py.ok(py.sendRequest('search-topk-by-token', '', 'POST', topk(['the quick', 'dog'], 10))), 'results');
    expect(many.map((r: unknown) => byToken(need(r, 'results')).map((t) => t.token))).toEqual([['the', ' quick'], ['dog']]);
  });
});
