// Attribution graphs over HTTP, replaying the requests of the Python client's NPGraphMetadata
// (webapp-python-client/neuronpedia/requests/graph_request.py): upload = signed-put, then a PUT of
// the gzipped file to the returned URL, then save-to-db and get; list_owned; delete; generate then
// get. One database with two apps on it (fixtures/graph-apps.ts): files in a folder with a graph
// server, and files in an S3 stand-in that checks SigV4 with no graph server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUploadUrl } from '../src/services/graph/signed-url.js';
import { createUploadUrl } from '../src/services/graph/uploads.js';
import { openStorage } from '../src/storage/index.js';
import { expectError } from './fixtures/error-body.js';
import { api, graphJson, LIMIT, S3, SECRET, startGraphApps, upload, type GraphApps } from './fixtures/graph-apps.js';
import type { TestContext } from './helper.js';

let apps: GraphApps;
let local: TestContext;
let s3app: TestContext;
let base = '';
let dir = '';
let alice: GraphApps['alice'];
let bob: GraphApps['bob'];

beforeAll(async () => {
  apps = await startGraphApps();
  ({ local, s3app, base, dir, alice, bob } = apps);
});
afterAll(() => apps?.close());

describe('NPGraphMetadata on folder storage', () => {
  const slug = 'cat-graph';
  let json = '';

  it('upload: signed-put returns a URL on this mirror, the PUT streams the gzip file, save-to-db answers the page URL', async () => {
    json = graphJson(slug);
    const { signed, saved, gz } = await upload(local, alice.key, json);
    expect(signed.url.startsWith(`${base}/api/graph/upload/${signed.putRequestId}?expires=`)).toBe(true);
    expect(signed.key).toMatch(new RegExp(`^user-graphs/${alice.user.id}/${slug}-\\d+-[0-9a-f]{6}\\.json$`));
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ message: 'Graph saved to database', url: `${base}/gemma-2-2b/graph?slug=${slug}` });
    expect(readFileSync(path.join(dir, signed.key)).equals(gz)).toBe(true); // stored as sent, gzip bytes
  });

  it('get: the fields the client parses, and url serves the stored JSON (gzip as stored, or decompressed)', async () => {
    const body = (await api(local, 'GET', `gemma-2-2b/${slug}`, alice.key)).json();
    expect(body).toMatchObject({
      modelId: 'gemma-2-2b',
      slug,
      prompt: 'The cat sat',
      promptTokens: ['The', ' cat', ' sat'],
      titlePrefix: '',
      url: `${base}/api/graph/json/gemma-2-2b/${slug}`,
      userId: alice.user.id,
      user: { name: 'alice', id: alice.user.id },
      visibility: 'PUBLIC',
    });
    expect(body).toEqual(expect.objectContaining({ id: expect.any(String) }));
    expect(body).not.toHaveProperty('storageKey');
    const gz = await fetch(body.url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.status).toBe(200);
    expect(await gz.text()).toBe(json); // fetch decompresses what was sent with Content-Encoding: gzip
    const plain = await local.app.inject({ method: 'GET', url: `/api/graph/json/gemma-2-2b/${slug}` });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(json);
    const raw = await local.app.inject({
      method: 'GET',
      url: `/api/graph/json/gemma-2-2b/${slug}`,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(raw.rawPayload).toString()).toBe(json);
  });

  it('list_owned: a bodiless POST answers an array of the same fields', async () => {
    const res = await api(local, 'POST', 'list-owned', alice.key);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        modelId: 'gemma-2-2b',
        slug,
        promptTokens: ['The', ' cat', ' sat'],
        prompt: 'The cat sat',
        titlePrefix: '',
      }),
    ]);
    expect((await api(local, 'POST', 'list-owned', bob.key)).json()).toEqual([]);
  });

  it('another user cannot delete it (403); a re-upload under the same slug replaces the file', async () => {
    expectError(await api(local, 'POST', 'delete', bob.key, { modelId: 'gemma-2-2b', slug }), 403, 'FORBIDDEN');
    json = graphJson(slug);
    const { saved } = await upload(local, alice.key, json);
    expect(saved.statusCode).toBe(200);
    expect(readdirSync(path.join(dir, 'user-graphs', alice.user.id))).toHaveLength(1);
    expect((await local.app.inject({ method: 'GET', url: `/api/graph/json/gemma-2-2b/${slug}` })).body).toBe(json);
    expect((await upload(local, bob.key, graphJson(slug))).saved.json().message).toMatch(/created by another user/);
  });

  it('delete: removes the row and the file', async () => {
    const res = await api(local, 'POST', 'delete', alice.key, { modelId: 'gemma-2-2b', slug });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'Graph deleted successfully' });
    expectError(await api(local, 'GET', `gemma-2-2b/${slug}`, alice.key), 404, 'NOT_FOUND');
    expect(readdirSync(path.join(dir, 'user-graphs', alice.user.id))).toEqual([]);
  });

  it('generate: the graph server gets a mirror upload URL, uploads to it, and the graph is saved as asked', async () => {
    const payload = {
      modelId: 'gemma-2-2b',
      prompt: 'The dog ran',
      slug: 'dog-gen',
      maxNLogits: 10,
      desiredLogitProb: 0.95,
      nodeThreshold: 0.8,
      edgeThreshold: 0.98,
    };
    const res = await api(local, 'POST', 'generate', alice.key, payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      message: 'Graph saved to database',
      s3url: `${base}/api/graph/json/gemma-2-2b/dog-gen`,
      url: `${base}/gemma-2-2b/graph?slug=dog-gen`,
      numNodes: 3,
      numLinks: 2,
    });
    const sent = apps.graphServer.requests.at(-1)!;
    expect(sent).toMatchObject({
      prompt: 'The dog ran',
      model_id: 'google/gemma-2-2b',
      slug_identifier: 'dog-gen',
      max_n_logits: 10,
      edge_threshold: 0.98,
      user_id: 'alice',
    });
    expect(String(sent.signed_url).startsWith(`${base}/api/graph/upload/`)).toBe(true);
    const got = await api(local, 'GET', 'gemma-2-2b/dog-gen', alice.key);
    expect(got.json()).toMatchObject({ slug: 'dog-gen', prompt: 'The dog ran', promptTokens: ['The', ' dog', ' ran'] });
    expect(JSON.parse((await local.app.inject({ method: 'GET', url: got.json().url.replace(base, '') })).body).nodes).toHaveLength(3);
    // The same slug again: upstream's 400.
    expect((await api(local, 'POST', 'generate', alice.key, payload)).json().message).toMatch(/already has a graph with slug\/id dog-gen/);
  });
});

describe('upload URLs', () => {
  async function signedPut(contentLength = 2048) {
    const res = await api(local, 'POST', 'signed-put', alice.key, { filename: 'x.json', contentLength });
    return res.json() as { url: string; key: string; putRequestId: string };
  }
  const put = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    local.app.inject({ method: 'PUT', url: url.replace(base, ''), payload: body, headers });

  it('are refused when tampered with, expired, reused, or of another length; no API key is needed', async () => {
    const { url, putRequestId, key } = await signedPut(2048);
    const body = Buffer.alloc(2048, 32);
    // Its first character changed (to one it is not: a fixed replacement is a no-op when it matches).
    const tampered = url.replace(/signature=(.)/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expectError(await put(tampered, body), 403, 'FORBIDDEN');
    const later = url.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 60}`);
    expectError(await put(later, body), 403, 'FORBIDDEN');
    const expired = signUploadUrl(SECRET, base, { id: putRequestId, storageKey: key, contentLength: 2048 }, new Date(Date.now() - 1000));
    const res = await put(expired, body);
    expectError(res, 403, 'FORBIDDEN');
    expect(res.json().message).toBe('Request has expired');
    expectError(await put(url, Buffer.alloc(2000, 32)), 400, 'BAD_REQUEST');
    expect((await put(url, body)).statusCode).toBe(200);
    const again = await put(url, body);
    expectError(again, 403, 'FORBIDDEN');
    expect(again.json().message).toBe('This upload URL has already been used.');
  });

  it('enforce GRAPH_UPLOAD_LIMIT_BYTES at signed-put and at the PUT', async () => {
    const tooBig = await api(local, 'POST', 'signed-put', alice.key, { filename: 'x.json', contentLength: LIMIT + 1 });
    expectError(tooBig, 413, 'PAYLOAD_TOO_LARGE');
    expectError(await api(local, 'POST', 'signed-put', alice.key, { filename: 'x.txt', contentLength: 2048 }), 400, 'BAD_REQUEST');
    // generate's URLs have no fixed length: only the limit applies.
    const deps = { db: local.database.db, storage: local.app.graphStorage, settings: local.config.graphs, publicUrl: base };
    const { url: open, key } = await createUploadUrl(deps, { viewer: null, ip: '127.0.0.1', filename: 'big.json', contentLength: null });
    expectError(
      await local.app.inject({ method: 'PUT', url: open.replace(base, ''), payload: Buffer.alloc(LIMIT + 1) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(existsSync(path.join(dir, key))).toBe(false);
    // A refused PUT does not use the URL up.
    expect((await local.app.inject({ method: 'PUT', url: open.replace(base, ''), payload: Buffer.alloc(LIMIT) })).statusCode).toBe(200);
    expect(existsSync(path.join(dir, key))).toBe(true);
  });

  it('save-to-db refuses a file that is not a graph, and a model that does not exist', async () => {
    const notGraph = JSON.stringify({
      metadata: { slug: 'x', scan: 'gemma-2-2b', prompt: 'p', prompt_tokens: ['p'] },
      pad: 'x'.repeat(2000),
    });
    const bad = await upload(local, alice.key, notGraph).catch(() => undefined);
    expect(bad).toBeUndefined(); // gzip is under 1024 bytes: signed-put refuses it, as upstream
    const { putRequestId, url } = (
      await api(local, 'POST', 'signed-put', alice.key, { filename: 'x.json', contentLength: notGraph.length })
    ).json();
    expect((await put(url, notGraph)).statusCode).toBe(200);
    const res = await api(local, 'POST', 'save-to-db', alice.key, { putRequestId });
    expectError(res, 400, 'BAD_REQUEST');
    expect(res.json().details).toEqual([
      "root: must have required property 'qParams'",
      "root: must have required property 'nodes'",
      "root: must have required property 'links'",
    ]);
    const { saved } = await upload(local, alice.key, graphJson('s1', 'no-such-model'));
    expect(saved.json().message).toBe('ERR_MODEL_DOES_NOT_EXIST');
    expectError(await api(local, 'POST', 'save-to-db', bob.key, { putRequestId }), 404, 'NOT_FOUND');
  });
});

describe('visibility and subgraphs', () => {
  it("another user's private graph is the same 404 as a missing one, everywhere", async () => {
    const { saved } = await upload(local, alice.key, graphJson('secret'), { visibility: 'PRIVATE' });
    expect(saved.statusCode).toBe(200);
    expect((await api(local, 'GET', 'gemma-2-2b/secret', alice.key)).json().visibility).toBe('PRIVATE');
    const missing = await api(local, 'GET', 'gemma-2-2b/nothing', bob.key);
    const hidden = await api(local, 'GET', 'gemma-2-2b/secret', bob.key);
    expectError(hidden, 404, 'NOT_FOUND');
    expect(hidden.json()).toEqual(missing.json());
    expect((await local.app.inject({ method: 'GET', url: '/api/graph/json/gemma-2-2b/secret' })).statusCode).toBe(404);
    expect((await api(local, 'POST', 'delete', bob.key, { modelId: 'gemma-2-2b', slug: 'secret' })).json()).toEqual(
      (await api(local, 'POST', 'delete', bob.key, { modelId: 'gemma-2-2b', slug: 'nothing' })).json(),
    );
    expectError(
      await api(local, 'POST', 'subgraph/save', bob.key, {
        modelId: 'gemma-2-2b',
        slug: 'secret',
        pinnedIds: [],
        supernodes: [],
        clerps: [],
      }),
      404,
      'NOT_FOUND',
    );
  });

  it('subgraphs are saved, overwritten and deleted only by their owner, and listed with the owner', async () => {
    const body = {
      modelId: 'gemma-2-2b',
      slug: 'dog-gen',
      displayName: 'mine',
      pinnedIds: ['0_1_1'],
      supernodes: [['sn', '0_1_1']],
      clerps: [],
      pruningThreshold: 0.8,
    };
    const saved = await api(local, 'POST', 'subgraph/save', bob.key, body);
    expect(saved.statusCode).toBe(200);
    const { subgraphId, success } = saved.json();
    expect(success).toBe(true);
    expectError(await api(local, 'POST', 'subgraph/save', alice.key, { ...body, overwriteId: subgraphId }), 403, 'FORBIDDEN');
    expect((await api(local, 'POST', 'subgraph/save', bob.key, { ...body, pinnedIds: ['1_1_1'], overwriteId: subgraphId })).json()).toEqual(
      { success: true, subgraphId },
    );
    const listed = await api(local, 'POST', 'subgraph/list', bob.key, { modelId: 'gemma-2-2b', slug: 'dog-gen' });
    expect(listed.json()).toMatchObject({
      success: true,
      subgraphs: [{ id: subgraphId, displayName: 'mine', pinnedIds: ['1_1_1'], supernodes: [['sn', '0_1_1']], user: { name: 'bob' } }],
    });
    expect((await api(local, 'POST', 'subgraph/list', alice.key, { modelId: 'gemma-2-2b', slug: 'dog-gen' })).json().subgraphs).toEqual([]);
    expectError(await api(local, 'POST', 'subgraph/delete', alice.key, { subgraphId }), 403, 'FORBIDDEN');
    expect((await api(local, 'POST', 'subgraph/delete', bob.key, { subgraphId })).json()).toEqual({
      success: true,
      message: 'Subgraph deleted successfully',
    });
    expectError(await api(local, 'POST', 'subgraph/delete', bob.key, { subgraphId }), 404, 'NOT_FOUND');
  });
});

describe('S3-compatible storage (SigV4 checked by the stand-in)', () => {
  it('upload, save-to-db, get, JSON and delete go through signed PUT, GET and DELETE', async () => {
    const json = graphJson('s3-graph');
    const { signed, saved } = await upload(s3app, alice.key, json);
    expect(saved.statusCode).toBe(200);
    expect(apps.s3.objects.get(signed.key)?.contentEncoding).toBe('gzip');
    expect(gunzipSync(apps.s3.objects.get(signed.key)!.body).toString()).toBe(json);
    const body = (await api(s3app, 'GET', 'gemma-2-2b/s3-graph', alice.key)).json();
    expect((await s3app.app.inject({ method: 'GET', url: body.url.replace(s3app.config.publicUrl, '') })).body).toBe(json);
    expect((await api(s3app, 'POST', 'delete', alice.key, { modelId: 'gemma-2-2b', slug: 's3-graph' })).statusCode).toBe(200);
    expect(apps.s3.objects.has(signed.key)).toBe(false);
    const path = `/${S3.bucket}/${signed.key}`;
    expect(apps.s3.log).toEqual(expect.arrayContaining([`PUT ${path} -> 200`, `GET ${path} -> 200`, `DELETE ${path} -> 204`]));
  });

  it('the stand-in refuses a wrong secret as S3 does', async () => {
    const wrong = openStorage({ kind: 's3', ...S3, secretAccessKey: 'wrong', endpoint: apps.s3.endpoint, timeoutMs: 5000 });
    await expect(
      wrong.put('k.json', Readable.from([Buffer.from('{}')]), { contentLength: 2, contentType: 'application/json', contentEncoding: null }),
    ).rejects.toThrow(/403.*SignatureDoesNotMatch/);
  });

  it('generate without GRAPH_SERVER_URL is a 503 that names it', async () => {
    const res = await api(s3app, 'POST', 'generate', alice.key, { modelId: 'gemma-2-2b', prompt: 'hi' });
    expectError(res, 503, 'SERVICE_NOT_CONFIGURED');
    expect(res.json().message).toMatch(/GRAPH_SERVER_URL/);
  });
});
