import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { benchRoot } from '../src/package-paths.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The figures start `dist/workers/*.js` as child processes, so the tests need them built from the
 * current sources: builds the package with tsup when a worker is missing or older than `src/`.
 */
export function ensureWorkersBuilt(): void {
  const root = benchRoot();
  const workers = readdirSync(join(root, 'src', 'workers')).map((name) =>
    join(root, 'dist', 'workers', name.replace(/\.ts$/, '.js')),
  );
  const sources = newestMtime(join(root, 'src'));
  const fresh = workers.every((path) => existsSync(path) && statSync(path).mtimeMs >= sources);
  if (fresh) return;
  const require = createRequire(join(root, 'package.json'));
  const tsup = join(require.resolve('tsup/package.json'), '..', 'dist', 'cli-default.js');
  execFileSync(process.execPath, [tsup, '--silent'], {
    cwd: root,
    stdio: 'pipe',
  });
}
