// Chooses the database the suite runs on:
// - TEST_DATABASE_URL set: that Postgres server (each test file gets its own fresh database);
// - TEST_POSTGRES=container: starts the official pgvector image with testcontainers (needs a
//   Docker engine, e.g. on a laptop) and uses it as above;
// - otherwise: an in-memory PGlite per test file.
import type { StartedTestContainer } from 'testcontainers';

let container: StartedTestContainer | undefined;

export async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL || process.env.TEST_POSTGRES !== 'container') return;
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const started = await new PostgreSqlContainer('pgvector/pgvector:pg17').start();
  container = started;
  // Workers are forked after global setup and inherit this.
  process.env.TEST_DATABASE_URL = started.getConnectionUri();
}

export async function teardown(): Promise<void> {
  await container?.stop();
}
