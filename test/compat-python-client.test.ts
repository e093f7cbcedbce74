// The current official Python client (webapp-python-client/ in the neuronpedia monorepo, 2.0.0; PyPI's
// `neuronpedia`), public method by public method, replayed on a real socket with the bytes its `requests`
// calls send (requests/base_request.py: `{BASE_URL}/{endpoint}/{uri}`, so bodiless-uri calls end in "/";
// `X-Api-Key`, `Accept-Encoding: gzip`; json.dumps bodies; bodiless POSTs with Content-Length 0 and no
// Content-Type), checking every field it then parses. Vectors, steering, activations and lists here;
// models, source sets, features and searches in compat-python-client-sources.test.ts; graphs in
// compat-python-client-graphs.test.ts.
//
//   NPVector.new(label, model_id, layer_num, hook_type, vector, default_steer_strength)
//       POST vector/new {modelId, layerNumber, hookType, vector, vectorDefaultSteerStrength, vectorLabel}
//       reads vector.{modelId, source, index, label, hookName, values, defaultSteerStrength}, url
//   NPVector.get(model_id, source, index)       POST vector/get {modelId, source, index}
//       reads vector.{modelId, layer, index, vectorLabel, hookName, vector, vectorDefaultSteerStrength}
//   NPVector.get_owned()                         POST vector/list-owned (no body); reads vectors[] as get
//   NPVector.steer_completion(prompt) = SteerCompletionRequest.steer: POST steer/ {modelId, features:[{modelId,
//       layer, index, strength}], prompt, temperature 0.5, n_tokens 32, seed 42, strength_multiplier 4}
//   SteerCompletionRequest.steer_features(model_id, features: SteerFeature[], prompt): the same with
//       n_tokens 24 and each feature's own strength; both return the JSON
//   NPVector.steer_chat(messages) = SteerChatRequest.steer: POST steer-chat/ {modelId, features,
//       defaultChatMessages, steeredChatMessages, temperature 0.5, n_tokens 32, seed 16, strength_multiplier 4,
//       steer_special_tokens true}; SteerChatRequest.steer_features: n_tokens 24, seed 42; return the JSON
//       (its README reads STEERED and shareUrl). 1.0.8 also sent freq_penalty 2; 2.0.0 does not.
//   NPVector.compute_activation_for_text(text) = ActivationRequest.compute_activation_for_text: POST
//       activation/new {feature:{modelId, layer, index}, customText}; reads tokens, values
//   ActivationRequest.compute_activation_for_texts(model_id, source, index, texts): customText a list;
//       reads [].{tokens, values}
//   ActivationRequest.compute_all_source_activations_for_text(model_id, source, text): POST activation/source
//       {customText, modelId, source}; returns results (parsed by the caller)
//   NPVector.upload_activations(activations) = ActivationRequest.upload_batch: POST activation/upload-batch
//       {modelId, source, index, activations:[{tokens, values}]}; returns the JSON
//   NPVector.delete()                            POST vector/delete {modelId, source, index}; returns the JSON
//   NPList.new(name, description)                POST list/new {name, description}; reads id, name, description
//   NPList.get_owned()                           POST list/list (no body); reads [].{id, name, description}
//   NPList.add_items(items)                      POST list/add-features {listId, featuresToAdd:[{modelId, layer,
//       index, description}]}; reads [].{modelId, layer, index}
//   NPList.get(list_id)                          POST list/get {listId}; reads id, name, description,
//       neurons[].{modelId, layer, index}
// Every answer must be JSON: the client maps 401, 404 and 429 to its errors, calls response.json() on
// other 4xx for its message, and on every 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from './helper.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { startInferenceDouble, type InferenceDouble } from './doubles/inference-server.js';
import { pythonRequests } from './fixtures/python-requests.js';

let ctx: TestContext;
let double: InferenceDouble;
let key = '';
let sendRequest: ReturnType<typeof pythonRequests>['sendRequest'];
let ok: ReturnType<typeof pythonRequests>['ok'];

// An NPVector as the client builds it from vector/new's answer.
interface NPVector {
  model_id: string;
  source: string;
  index: string;
  label: string;
  hook_name: string;
  values: number[];
  default_steer_strength: number | null;
  url?: string;
}
const VALUES = Array.from({ length: 768 }, (_, i) => Math.round(Math.sin(i + 0.5) * 1e6) / 1e6);
let vector: NPVector;

beforeAll(async () => {
  double = await startInferenceDouble({ model: 'gpt2-small' });
  ctx = await buildTestApp({ INFERENCE_HOSTS: `gpt2-small=${double.url}`, INFERENCE_SECRET: double.secret });
  key = (await userWithKey(ctx.database.db, 'py')).key;
  await seedSource(ctx.database.db, { features: 3, activationsPerFeature: 1 });
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  ({ sendRequest, ok } = pythonRequests(Number(new URL(address).port), () => key));
});
afterAll(async () => {
  await ctx?.close();
  await double?.close();
});

describe('the Python client, method by method', () => {
  it('NPVector.new', async () => {
    const response = await ok(
      sendRequest('vector', 'new', 'POST', {
        modelId: 'gpt2-small',
        layerNumber: 6,
        hookType: 'hook_resid_pre',
        vector: VALUES,
        vectorDefaultSteerStrength: 44,
        vectorLabel: 'dinosaurs',
      }),
    );
    const v = response.vector;
    vector = {
      model_id: v.modelId,
      source: v.source,
      index: v.index,
      label: v.label,
      hook_name: v.hookName,
      values: v.values,
      default_steer_strength: v.defaultSteerStrength,
      url: response.url,
    };
    expect(vector).toMatchObject({
      model_id: 'gpt2-small',
      source: '6-neuronpedia-resid-pre',
      label: 'dinosaurs',
      hook_name: 'blocks.6.hook_resid_pre',
      default_steer_strength: 44,
    });
    expect(typeof vector.index).toBe('string');
    expect(vector.values).toEqual(VALUES); // its tests compare with ==
    expect(vector.url).toEqual(expect.stringMatching(/^http:\/\/mirror\.test\//));
  });

  it('NPVector.get and NPVector.get_owned (bodiless POST) give back an equal NPVector', async () => {
    const {
      modelId,
      layer,
      index,
      vectorLabel,
      hookName,
      vector: values,
      vectorDefaultSteerStrength,
    } = (await ok(sendRequest('vector', 'get', 'POST', { modelId: vector.model_id, source: vector.source, index: vector.index }))).vector;
    // NPVector.__eq__: model_id, source, index, label, hook_name, values, default_steer_strength.
    expect([modelId, layer, index, vectorLabel, hookName, values, vectorDefaultSteerStrength]).toEqual([
      vector.model_id,
      vector.source,
      vector.index,
      vector.label,
      vector.hook_name,
      vector.values,
      vector.default_steer_strength,
    ]);
    const owned = (await ok(sendRequest('vector', 'list-owned', 'POST'))).vectors;
    expect(owned).toHaveLength(1);
    expect([owned[0].modelId, owned[0].layer, owned[0].index, owned[0].vectorLabel, owned[0].hookName, owned[0].vector]).toEqual([
      vector.model_id,
      vector.source,
      vector.index,
      vector.label,
      vector.hook_name,
      vector.values,
    ]);
    expect(owned[0].vectorDefaultSteerStrength).toBe(44);
  });

  const features = () => [{ modelId: vector.model_id, layer: vector.source, index: vector.index, strength: vector.default_steer_strength }];

  it('NPVector.steer_completion: POST /api/steer/ with its defaults', async () => {
    const body = await ok(
      sendRequest('steer', '', 'POST', {
        modelId: 'gpt2-small',
        features: features(),
        prompt: 'The most iconic structure on Earth is',
        temperature: 0.5,
        n_tokens: 32,
        seed: 42,
        strength_multiplier: 4,
      }),
    );
    expect(typeof body.STEERED).toBe('string');
    expect(typeof body.DEFAULT).toBe('string');
    expect(body.shareUrl).toEqual(expect.stringMatching(/^http:\/\/mirror\.test\/steer\//));
    // The stored vector itself was steered with, as the vector's values.
    expect(double.requests.at(-1)!.body).toMatchObject({ vectors: [{ steeringVector: VALUES, strength: 44 }] });
  });

  it('NPVector.steer_chat: POST /api/steer-chat/ with its defaults; STEERED and shareUrl as its README reads them', async () => {
    const story = [{ role: 'user', content: 'Write a one sentence story.' }];
    const body = await ok(
      sendRequest('steer-chat', '', 'POST', {
        modelId: 'gpt2-small',
        features: features(),
        defaultChatMessages: story,
        steeredChatMessages: story,
        temperature: 0.5,
        n_tokens: 32,
        seed: 16,
        strength_multiplier: 4,
        steer_special_tokens: true,
      }),
    );
    expect(body.STEERED.chatTemplate.at(-1).role).toBe('model');
    expect(typeof body.STEERED.raw).toBe('string');
    expect(body.shareUrl).toEqual(expect.stringMatching(/^http:\/\/mirror\.test\/steer\//));
  });

  it('NPVector.compute_activation_for_text: Activation(tokens, values) of equal lengths', async () => {
    const result = await ok(
      sendRequest('activation', 'new', 'POST', {
        feature: { modelId: vector.model_id, layer: vector.source, index: vector.index },
        customText: 'dinosaurs roam the earth',
      }),
    );
    expect(result.tokens).toEqual(['<|endoftext|>', 'dinosaurs', ' roam', ' the', ' earth']);
    expect(result.values).toHaveLength(result.tokens.length);
  });

  it('SteerCompletionRequest.steer_features and SteerChatRequest.steer_features: SAE features at their own strength', async () => {
    const sae = [{ modelId: 'gpt2-small', layer: '6-res-jb', index: 1, strength: 20 }];
    const common = { modelId: 'gpt2-small', features: sae, temperature: 0.5, n_tokens: 24, seed: 42, strength_multiplier: 4 };
    const completion = await ok(sendRequest('steer', '', 'POST', { ...common, prompt: 'Hello' }));
    expect([typeof completion.STEERED, typeof completion.DEFAULT]).toEqual(['string', 'string']);
    expect(double.requests.at(-1)!.body).toMatchObject({ features: [{ model: 'gpt2-small', source: '6-res-jb', index: 1, strength: 20 }] });
    const chat = [{ role: 'user', content: 'hi' }];
    const steered = await ok(
      sendRequest('steer-chat', '', 'POST', {
        ...common,
        defaultChatMessages: chat,
        steeredChatMessages: chat,
        steer_special_tokens: true,
      }),
    );
    expect(steered.STEERED.chatTemplate.at(-1).role).toBe('model');
  });

  it('compute_activation_for_texts (a list of texts) and compute_all_source_activations_for_text', async () => {
    const feature = { modelId: 'gpt2-small', layer: '6-res-jb', index: '1' };
    const many = await ok(sendRequest('activation', 'new', 'POST', { feature, customText: ['one two', 'three'] }));
    expect(many.map((r: { tokens: string[] }) => r.tokens)).toEqual([
      ['<|endoftext|>', 'one', ' two'],
      ['<|endoftext|>', 'three'],
    ]);
    for (const r of many) expect(r.values).toHaveLength(r.tokens.length);
    const all = await ok(sendRequest('activation', 'source', 'POST', { customText: 'one two', modelId: 'gpt2-small', source: '6-res-jb' }));
    expect(all.results[0].tokens).toEqual(['<|endoftext|>', 'one', ' two']);
  });

  it('NPVector.upload_activations, then SAEFeature.get shows them', async () => {
    const activations = [{ tokens: ['big', ' lizard'], values: [0.25, 3.5] }];
    const answer = await ok(
      sendRequest('activation', 'upload-batch', 'POST', {
        modelId: vector.model_id,
        source: vector.source,
        index: vector.index,
        activations,
      }),
    );
    expect(answer).toEqual({ message: '1 activations created.' });
    const feature = await ok(sendRequest('feature', `${vector.model_id}/${vector.source}/${vector.index}`, 'GET'));
    // SAEFeature(modelId=result["modelId"], source=result["layer"], index=result["index"], jsonData=…)
    expect([feature.modelId, feature.layer, feature.index]).toEqual([vector.model_id, vector.source, vector.index]);
    expect(feature.activations.map((a: { tokens: string[] }) => a.tokens)).toContainEqual(['big', ' lizard']);
  });

  it('NPList.new, add_items, get_owned (bodiless POST) and get', async () => {
    const created = await ok(sendRequest('list', 'new', 'POST', { name: 'dinos', description: '' }));
    expect([typeof created.id, created.name, created.description]).toEqual(['string', 'dinos', '']);
    const added = await ok(
      sendRequest('list', 'add-features', 'POST', {
        listId: created.id,
        featuresToAdd: [
          { modelId: 'gpt2-small', layer: '6-res-jb', index: '2', description: 'two' },
          { modelId: vector.model_id, layer: vector.source, index: vector.index, description: '' },
        ],
      }),
    );
    expect(added.map((i: Record<string, string>) => [i.modelId, i.layer, i.index])).toEqual([
      ['gpt2-small', '6-res-jb', '2'],
      [vector.model_id, vector.source, vector.index],
    ]);
    const owned = await ok(sendRequest('list', 'list', 'POST'));
    expect(owned.map((l: Record<string, string>) => [l.id, l.name, l.description])).toEqual([[created.id, 'dinos', '']]);
    const got = await ok(sendRequest('list', 'get', 'POST', { listId: created.id }));
    expect([got.id, got.name, got.description]).toEqual([created.id, 'dinos', '']);
    // The client keeps the order it is given; the server's is newest first.
    const keys = (rows: Array<Record<string, string>>) => rows.map((r) => [r.modelId, r.layer, r.index].join('/')).sort();
    expect(keys(got.neurons)).toEqual(keys(added));
  });

  it('NPVector.delete answers JSON; afterwards NPVector.get is the 404 the client raises as not found', async () => {
    const ref = { modelId: vector.model_id, source: vector.source, index: vector.index };
    expect(await ok(sendRequest('vector', 'delete', 'POST', ref))).toEqual({ message: 'Success' });
    const gone = await sendRequest('vector', 'get', 'POST', ref);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a wrong key is 401 (NPUnauthorizedError), in JSON; large answers come gzipped as it asks', async () => {
    const wrong = await sendRequest('list', 'list', 'POST', undefined, 'sk-np-0000000000000000000000000000000000000000');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ code: 'INVALID_API_KEY' });
    const feature = await sendRequest('feature', 'gpt2-small/6-res-jb/0', 'GET');
    expect(feature.headers['content-encoding']).toBe('gzip');
  });
});
