// Starts a worker thread on one of the project's modules, whether it runs from its TypeScript
// sources (tsx: `npm run dev`, tests, scripts) or from dist/ after `npm run build`. Shared by the
// inference engine's worker and the importer's parse workers.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

function tsBootstrap(moduleUrl: string): string {
  // tsx's ESM API (the require condition resolves to its CommonJS build, which fails here):
  // tsImport loads the TypeScript module and its imports through tsx's loader.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/index\.cjs$/, 'index.mjs')).href;
  const url = JSON.stringify(moduleUrl);
  return `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${url}, ${url}))`;
}

/**
 * A worker on `moduleUrl`, given as the `.ts` sibling of the caller (`new URL('./worker.ts',
 * import.meta.url)` from a `.ts` caller, `./worker.js` from a built one): a `.ts` module is loaded
 * through tsx, a `.js` one directly.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (moduleUrl.pathname.endsWith('.ts')) return new Worker(tsBootstrap(moduleUrl.href), { ...options, eval: true, execArgv: [] });
  return new Worker(fileURLToPath(moduleUrl), options);
}

/** `name`'s URL beside `callerUrl`, with the caller's extension (`.ts` under tsx, `.js` when built). */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}
