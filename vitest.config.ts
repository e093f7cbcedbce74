import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Opening PGlite compiles Postgres to WASM (a few seconds per test file on a small machine).
    hookTimeout: 60_000,
    // Generous: several suites start child processes (CLIs, a second server) that a busy machine slows down.
    testTimeout: 90_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // @fastify/autoload imports the route files itself; run through Vitest, its import() goes to
    // Vitest's loader, which reads TypeScript and shares one copy of each module with the tests.
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
