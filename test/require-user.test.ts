// The guards routes use when they need a user or an admin, with the real server's messages.
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import app from '../src/app.js';
import { serverOptions } from '../src/options.js';
import { openTestDatabase, testConfig } from './helper.js';
import { userWithKey } from './fixtures/users.js';

let fastify: ReturnType<typeof Fastify>;
let drop: () => Promise<void>;
let userKey = '';
let adminKey = '';

beforeAll(async () => {
  const test = await openTestDatabase();
  drop = test.drop;
  userKey = (await userWithKey(test.database.db, 'user1')).key;
  adminKey = (await userWithKey(test.database.db, 'admin1', true)).key;
  const config = testConfig();
  fastify = Fastify(serverOptions(config));
  await fastify.register(app, { config, database: test.database });
  fastify.after(() => {
    fastify.post('/api/test/needs-user', { preHandler: fastify.requireUser }, async (request: FastifyRequest) => ({
      name: request.viewer?.name,
    }));
    fastify.post('/api/test/needs-admin', { preHandler: fastify.requireAdmin }, async () => ({ ok: true }));
  });
  await fastify.ready();
});
afterAll(async () => {
  await fastify?.close();
  await drop?.();
});

it('answers 401 with the real message when a route needs a user and none is signed in', async () => {
  const res = await fastify.inject({ method: 'POST', url: '/api/test/needs-user' });
  expect(res.statusCode).toBe(401);
  expect(res.json()).toMatchObject({
    code: 'UNAUTHORIZED',
    error:
      "This endpoint requires authorization. Specify your API key in the header x-api-key. API keys for this mirror are made by its administrator (npm run key -- create <user>); neuronpedia.org's keys do not work here.",
  });
  expect(res.json().error).not.toContain('Settings on neuronpedia.org');
  expect(res.headers['www-authenticate']).toBe('Bearer realm="neuronpedia-mirror"');
  const ok = await fastify.inject({ method: 'POST', url: '/api/test/needs-user', headers: { 'x-api-key': userKey } });
  expect(ok.json()).toEqual({ name: 'user1' });
});

it('answers 403 to a user on an admin route, 401 to nobody, and lets an admin in', async () => {
  expect((await fastify.inject({ method: 'POST', url: '/api/test/needs-admin' })).statusCode).toBe(401);
  const user = await fastify.inject({ method: 'POST', url: '/api/test/needs-admin', headers: { 'x-api-key': userKey } });
  expect(user.statusCode).toBe(403);
  expect(user.json().error).toMatch(/^This endpoint requires authorization and admin access\..*npm run key -- create <user>/);
  expect(
    (await fastify.inject({ method: 'POST', url: '/api/test/needs-admin', headers: { authorization: `Bearer ${adminKey}` } })).json(),
  ).toEqual({ ok: true });
});
