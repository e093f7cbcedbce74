// `npm start`'s prestart: runs `npm run build` only when something it builds from (src/, the
// migrations, the build scripts, tsconfig, the package files) is newer than the last build's stamp
// (dist/.build-stamp). `tsc -b` finds an up-to-date build itself, but starting tsc and the demo
// check took about a second of every `npm start`; comparing modification times takes milliseconds.
// `--stamp` (the end of `npm run build`) writes the stamp. Plain JavaScript: nothing built yet.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const STAMP = path.resolve('dist/.build-stamp');
const INPUTS = [
  'src',
  'migrations',
  'scripts/build-if-stale.mjs',
  'scripts/prune-dist.mjs',
  'scripts/build-demo.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];

/** The newest modification time under `file` (a file or a folder, walked whole). */
function newest(file) {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder's time
  for (const entry of fs.readdirSync(file, { recursive: true, withFileTypes: true }))
    latest = Math.max(latest, fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  return latest;
}

const stamp = () => fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);

if (process.argv.includes('--stamp')) stamp();
else {
  const builtAt = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (Math.max(...INPUTS.map((input) => newest(path.resolve(input)))) >= builtAt) {
    const started = new Date();
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { stdio: 'inherit' });
    // The build's start: a file saved while it ran is newer, and the next start builds again.
    stamp();
    fs.utimesSync(STAMP, started, started);
  }
}
