// After `tsc -b`: deletes compiled files in dist/ whose source in src/ no longer exists. tsc never
// removes its old output, and the routes are loaded from the dist/routes tree by @fastify/autoload,
// so a route file moved or deleted in src/ would otherwise still be served from a stale copy.
// Plain JavaScript, so that `npm start` needs nothing but node and tsc.
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve('dist');
const src = path.resolve('src');
const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

for (const entry of fs.existsSync(dist) ? fs.readdirSync(dist, { recursive: true, withFileTypes: true }) : []) {
  if (!entry.isFile() || !OUTPUT.test(entry.name)) continue;
  const compiled = path.join(entry.parentPath ?? entry.path, entry.name);
  const source = path.join(src, path.relative(dist, compiled)).replace(OUTPUT, '.ts');
  if (!fs.existsSync(source)) fs.rmSync(compiled);
}
