// docker-compose.yml cannot run here (no Docker engine), so it is checked by reading: valid against
// the Compose Specification's schema, with the services, health checks, ports and environment the
// deployment needs.
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url);
const compose = parse(fs.readFileSync(new URL('docker-compose.yml', root), 'utf8'));
const spec = JSON.parse(fs.readFileSync(new URL('fixtures/compose-spec.json', import.meta.url), 'utf8'));

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification', () => {
    // The spec names its meta-schema by an https URL ajv does not bundle; it is plain draft-07.
    const { $schema: _metaSchema, ...schema } = spec;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs Postgres with pgvector, with a health check and a volume', () => {
    const db = compose.services.db;
    expect(db.image).toMatch(/^pgvector\/pgvector:/);
    expect(db.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(db.volumes.some((v: string) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('starts the server after the database is healthy, pointed at it', () => {
    const server = compose.services.server;
    expect(server.build).toBeTruthy();
    expect(server.depends_on.db.condition).toBe('service_healthy');
    expect(server.environment.DATABASE_URL).toMatch(/^postgres:\/\/.+@db:5432\//);
    expect(server.environment.HOST).toBe('0.0.0.0');
    expect(server.ports.some((p: string) => p.endsWith(':3000'))).toBe(true);
    expect(server.healthcheck.test.join(' ')).toContain('/health');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['db-data']));
  });

  it('has a Dockerfile that runs the server on all interfaces', () => {
    const dockerfile = fs.readFileSync(new URL('Dockerfile', root), 'utf8');
    expect(dockerfile.match(/^FROM \S+/gm)).toEqual(['FROM node:24-bookworm-slim', 'FROM node:24-bookworm-slim']); // current LTS; has flock(1)
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('RUN npm run build');
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toContain('CMD ["node", "dist/server.js"]');
  });
});
