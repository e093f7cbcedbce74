// Lint: ESLint's and typescript-eslint's recommended rules, type-aware where it catches real bugs
// (floating promises in a server are lost errors).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layers(),
);

/**
 * The layering of docs/architecture.md, enforced: each layer lists the folders and packages it may
 * not import. The HTTP edge (routes, pages, plugins, http) calls services; services call db
 * queries and model-service clients; db and upstream know nothing above them.
 */
function layers() {
  const dirs = (...names) => names.map((name) => `**/${name}/**`);
  const FASTIFY = ['fastify', 'fastify-plugin', '@fastify/*'];
  const EDGE = dirs('routes', 'pages', 'plugins', 'http');
  const rule = (files, forbidden, why) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: `${why} (docs/architecture.md)` }] }] },
  });
  return [
    rule(
      ['src/routes/**', 'src/pages/**', 'src/plugins/**'],
      [...dirs('db/queries', 'db/schema', 'db/import'), '**/db/analyze.js'],
      'the HTTP edge reads and writes data through services',
    ),
    rule(['src/services/**'], [...EDGE, ...FASTIFY], 'services know no HTTP: throw the errors of src/errors.ts'),
    rule(
      ['src/schemas/**'],
      [...EDGE, ...dirs('services', 'db', 'upstream', 'ingest')],
      'wire schemas are data: put shared constants in src/constants.ts',
    ),
    rule(['src/ingest/**'], [...EDGE, ...dirs('services'), ...FASTIFY], 'the importer runs without the server'),
    rule(
      ['src/upstream/**', 'src/storage/**'],
      [...EDGE, ...dirs('services', 'db', 'ingest'), ...FASTIFY],
      'clients of outside services know no database and no HTTP edge',
    ),
    rule(
      ['src/engine/**'],
      [...EDGE, ...dirs('services', 'db', 'upstream', 'ingest', 'schemas', 'storage')],
      'the inference engine stands alone: it runs in its own process or worker',
    ),
    rule(
      ['src/db/**'],
      [...EDGE, ...dirs('services', 'upstream', 'ingest', 'schemas', 'storage'), ...FASTIFY],
      'the data layer knows nothing above it',
    ),
    rule(
      [
        'src/streams/**',
        'src/errors.ts',
        'src/constants.ts',
        'src/validation.ts',
        'src/compile-on-first-call.ts',
        'src/random.ts',
        'src/module-worker.ts',
      ],
      [...EDGE, ...dirs('services', 'db', 'upstream', 'ingest', 'schemas')],
      'leaf modules import no layer',
    ),
  ];
}
