import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Opening PGlite compiles Postgres to WASM (a few seconds per test file on a small machine).
    hookTimeout: 60_000,
    testTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
