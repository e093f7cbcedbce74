// The current official Python client's NPGraphMetadata (webapp-python-client/neuronpedia/requests/
// graph_request.py, 2.0.0), replayed on a real socket with its exact bytes (fixtures/python-requests.ts),
// checking every field it parses. graphs.test.ts covers the routes' rules (limits, visibility, S3);
// this file, that the client's own sequence of requests works end to end.
//
//   NPGraphMetadata.upload(json_str) / upload_file(path) (the same requests, from a file)
//       GraphRequest.upload: POST graph/signed-put {filename: "{slug}.json", contentLength (of the gzip),
//       contentType}; reads url, putRequestId; requests.put(url, data=gzip, headers={"Content-Encoding": "gzip"})
//       (no key, no Content-Type; only the status 200 is read); POST graph/save-to-db {putRequestId}, reads url;
//       then get(metadata.scan, metadata.slug)
//   NPGraphMetadata.get(model_id, slug)   GET graph/{model}/{slug}; list_owned(): POST graph/list-owned (no body);
//       both read id, modelId, slug, promptTokens, prompt, titlePrefix, url (its json_url)
//   NPGraphMetadata.generate(model_id, prompt, slug, max_n_logits, desired_logit_prob, node_threshold,
//       edge_threshold)   POST graph/generate {modelId, prompt, slug, maxNLogits, desiredLogitProb,
//       nodeThreshold, edgeThreshold} (answer not read), then get
//   NPGraphMetadata.delete()   POST graph/delete {modelId, slug}; returns the JSON
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphServerDouble, type GraphServerDouble } from './doubles/graph-server.js';
import { freePort, graphJson } from './fixtures/graph-apps.js';
import { need, pythonRequests } from './fixtures/python-requests.js';
import { seedSource } from './fixtures/seed.js';
import { userWithKey } from './fixtures/users.js';
import { buildTestApp, type TestContext } from './helper.js';

let ctx: TestContext;
let graphServer: GraphServerDouble;
let py: ReturnType<typeof pythonRequests>;
let base = '';
const dir = mkdtempSync(path.join(tmpdir(), 'py-graphs-'));

beforeAll(async () => {
  graphServer = await startGraphServerDouble('graph-secret');
  // Upload URLs are built from PUBLIC_URL, and the graph server PUTs to one: the app must listen there.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ctx = await buildTestApp({
    PORT: String(port),
    PUBLIC_URL: base,
    GRAPH_STORAGE_DIR: dir,
    GRAPH_SERVER_URL: graphServer.url,
    GRAPH_SERVER_SECRET: 'graph-secret',
  });
  const { key } = await userWithKey(ctx.database.db, 'py');
  await seedSource(ctx.database.db, { features: 1, activationsPerFeature: 1 }); // the model gpt2-small
  await ctx.app.listen({ port, host: '127.0.0.1' });
  py = pythonRequests(port, () => key);
});
afterAll(async () => {
  await ctx?.close();
  await graphServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Python client: NPGraphMetadata', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const metadata = (g: any) => ['id', 'modelId', 'slug', 'promptTokens', 'prompt', 'titlePrefix', 'url'].map((k) => need(g, k));

  /** GraphRequest.upload: signed-put, the bare PUT, save-to-db, then get. */
  async function upload(json: string) {
    const { slug, scan } = JSON.parse(json).metadata;
    const gz = gzipSync(json);
    const signed = await py.ok(
      py.sendRequest('graph', 'signed-put', 'POST', {
        filename: `${slug}.json`,
        contentLength: gz.length,
        contentType: 'application/json',
      }),
    );
    expect(need(signed, 'url').startsWith(`${base}/`)).toBe(true);
    const put = await py.putGzip(signed.url, gz);
    expect(put.status, put.text).toBe(200);
    const saved = await py.ok(py.sendRequest('graph', 'save-to-db', 'POST', { putRequestId: need(signed, 'putRequestId') }));
    expect(need(saved, 'url')).toBe(`${base}/${scan}/graph?slug=${slug}`);
    return metadata(await py.ok(py.sendRequest('graph', `${scan}/${slug}`, 'GET')));
  }

  it('upload (and upload_file, the same requests) then get and list_owned give equal metadata; url serves the file', async () => {
    const json = graphJson('py-cat', 'gpt2-small');
    const got = await upload(json);
    expect(got.slice(1)).toEqual([
      'gpt2-small',
      'py-cat',
      ['The', ' cat', ' sat'],
      'The cat sat',
      '',
      `${base}/api/graph/json/gpt2-small/py-cat`,
    ]);
    expect(await (await fetch(got[6])).text()).toBe(json);
    const owned = await py.ok(py.sendRequest('graph', 'list-owned', 'POST'));
    expect(owned.map(metadata)).toEqual([got]);
  });

  it('generate: the graph server is asked, then get finds the graph; delete answers JSON and get is then 404', async () => {
    const body = {
      modelId: 'gpt2-small',
      prompt: 'The dog ran',
      slug: 'py-gen',
      maxNLogits: 10,
      desiredLogitProb: 0.95,
      nodeThreshold: 0.8,
      edgeThreshold: 0.98,
    };
    await py.ok(py.sendRequest('graph', 'generate', 'POST', body));
    expect(graphServer.requests.at(-1)).toMatchObject({ prompt: 'The dog ran', model_id: 'gpt2-small', slug_identifier: 'py-gen' });
    const got = metadata(await py.ok(py.sendRequest('graph', 'gpt2-small/py-gen', 'GET')));
    expect(got.slice(2, 5)).toEqual(['py-gen', ['The', ' dog', ' ran'], 'The dog ran']);
    expect(await py.ok(py.sendRequest('graph', 'delete', 'POST', { modelId: 'gpt2-small', slug: 'py-gen' }))).toEqual({
      message: 'Graph deleted successfully',
    });
    expect((await py.sendRequest('graph', 'gpt2-small/py-gen', 'GET')).status).toBe(404);
  });
});
