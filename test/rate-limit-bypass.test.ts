// A request is counted in its route's rate-limit group however its target is spelled (issue 12,
// finding 2: percent-encoding and absolute-form targets reached /api/steer uncounted). Every group
// is set to 0 here, so each request that reaches a route must be refused with 429 by that route's
// own group: anything else means a handler ran uncounted. Requests go over a real socket, as sent.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import app from '../src/app.js';
import { serverOptions } from '../src/options.js';
import { groupsForPath, RATE_LIMIT_GROUPS } from '../src/services/rate-limit/groups.js';
import { openTestDatabase, testConfig } from './helper.js';
import { rawHttpRequest, rawRequest } from './fixtures/raw-http.js';

interface SeenRoute {
  method: string;
  url: string;
  group: string | undefined;
}

let fastify: FastifyInstance;
let drop: () => Promise<void>;
let port = 0;
const routes: SeenRoute[] = [];

beforeAll(async () => {
  const test = await openTestDatabase();
  drop = test.drop;
  const config = testConfig({
    RATE_LIMITS: Object.keys(RATE_LIMIT_GROUPS)
      .map((group) => `${group}=0`)
      .join(','),
  });
  fastify = Fastify(serverOptions(config));
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url ?? '', group: route.config?.rateLimitGroup });
    }
  });
  await fastify.register(app, { config, database: test.database });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  port = (fastify.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await fastify?.close();
  await drop?.();
});

const specificGroups = Object.keys(RATE_LIMIT_GROUPS).filter((name) => name !== 'api');
const mainPath = (group: string) => RATE_LIMIT_GROUPS[group]!.paths[0]!;
const percent = (char: string) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Ways to spell one path that a client can send: encodings, absolute form, slashes, case, suffixes. */
function spellings(path: string): string[] {
  const out = new Set<string>([path, `${path}/`]);
  for (let i = 0; i < path.length; i++) if (path[i] !== '/') out.add(path.slice(0, i) + percent(path[i]!) + path.slice(i + 1));
  const allEncoded = path.replace(/[^/]/g, percent);
  out
    .add(allEncoded)
    .add(`${allEncoded}/`)
    .add(path.replace(/[^/]/g, (c) => percent(c).toLowerCase()));
  out
    .add(path.replace(/\//g, '%2F'))
    .add(path.replace(/\/([^/]*)$/, '%2F$1'))
    .add(`${path}%2F`);
  for (const origin of ['http://x', 'HTTP://mirror.test:80', 'https://x:1'])
    out
      .add(origin + path)
      .add(`${origin + path}/`)
      .add(origin + allEncoded);
  out
    .add(path.toUpperCase())
    .add(path.replace(/^\/api/, '/API'))
    .add(path.replace(/\/([a-z])/g, (_, c: string) => `/${c.toUpperCase()}`));
  out.add(`${path}?x=1`).add(`${path}/?x=1`).add(`${path};x`).add(`${path}#x`).add(`${path}%20`);
  out.add(`/${path}`).add(path.replace('/api/', '/api//')).add(path.replace('/api/', '/api/./')).add(path.replace('/api/', '/api/x/../'));
  return [...out];
}

/** One URL that a route's pattern matches (parameters filled with `x`). */
const concrete = (url: string) => url.replace(/:[^/]+/g, 'x').replace(/\*/g, 'x');

async function send(method: string, target: string) {
  const response = await rawRequest(
    port,
    rawHttpRequest(method, target, { body: method === 'GET' || method === 'DELETE' ? undefined : '{}' }),
  );
  let body: { endpoint?: unknown; code?: unknown } = {};
  try {
    body = JSON.parse(response.body);
  } catch {
    // not JSON: reported as it is
  }
  return { status: response.status, endpoint: body.endpoint, code: body.code };
}

/**
 * Sends every target; returns those answered by anything but a 429 from `group`'s main path, a 404
 * (no route), or a 400 from Node's HTTP parser (a target that is not a path never reaches routing).
 */
async function uncounted(method: string, targets: string[], group: string): Promise<string[]> {
  const wrong: string[] = [];
  for (let i = 0; i < targets.length; i += 8) {
    const batch = targets.slice(i, i + 8);
    const answers = await Promise.all(batch.map((target) => send(method, target)));
    answers.forEach(({ status, endpoint, code }, j) => {
      const counted = status === 429 && endpoint === mainPath(group);
      const refused = status === 404 || (status === 400 && code === 'BAD_REQUEST' && !/^(\/|https?:)/i.test(batch[j]!));
      if (!counted && !refused) wrong.push(`${method} ${batch[j]} → ${status} ${String(endpoint ?? '')}`);
    });
  }
  return wrong;
}

describe('limit groups are declared by routes', () => {
  it('every route a group lists declares that group, and no other route declares one', () => {
    const mismatched = routes
      .map((route) => ({ ...route, listed: groupsForPath(route.url, undefined, route.method).filter((name) => name !== 'api') }))
      .filter((route) => route.listed.length > 1 || route.group !== route.listed[0])
      .map((route) => `${route.method} ${route.url}: declares ${route.group ?? 'none'}, listed in ${route.listed.join(', ') || 'none'}`);
    expect(mismatched).toEqual([]);
    for (const group of specificGroups)
      expect(
        routes.some((route) => route.group === group),
        `a route in group ${group}`,
      ).toBe(true);
  });
});

describe('spellings of a limited route', () => {
  it('the reported reproducers are counted in the steer group', async () => {
    for (const target of ['/api/%73teer', '/api/st%65er', '/%61pi/steer', 'http://x/api/steer']) {
      const { status, endpoint } = await send('POST', target);
      expect({ target, status, endpoint }).toEqual({ target, status: 429, endpoint: '/api/steer' });
    }
  });

  it('every spelling of every limited route is counted in its group or not found', async () => {
    const limited = routes.filter((route) => route.group !== undefined);
    expect(limited.length).toBeGreaterThanOrEqual(specificGroups.length);
    const wrong: string[] = [];
    for (const route of limited) wrong.push(...(await uncounted(route.method, spellings(route.url), route.group!)));
    expect(wrong).toEqual([]);
  });

  it('every other /api route is counted in the api group, however spelled', async () => {
    const others = routes.filter((route) => route.group === undefined && route.url.startsWith('/api/'));
    expect(others.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const route of others) {
      const path = concrete(route.url);
      const targets = [path, `${path}/`, path.slice(0, 5) + percent(path[5]!) + path.slice(6), `http://x${path}`];
      wrong.push(...(await uncounted(route.method, targets, 'api')));
    }
    expect(wrong).toEqual([]);
  });

  it('does not count routes outside /api', async () => {
    const { status } = await send('GET', '/health');
    expect(status).toBe(200);
  });
});
