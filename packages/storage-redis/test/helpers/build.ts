import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '..', '..');

/** Workspace packages the built store loads at run time (in dependency order). */
const RUNTIME_DEPENDENCIES: ReadonlyArray<[name: string, dir: string]> = [
  ['@hft/errors', 'packages/errors'],
  ['@hft/time', 'packages/time'],
  ['@hft/auth-core', 'packages/auth-core'],
  ['@hft/storage-keyv', 'packages/storage-keyv'],
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Child processes run plain Node on built output (Node 20 cannot load .ts): build this package
 * when its dist is missing or older than src, and each workspace package it loads when that
 * package's dist is missing.
 */
export function ensureBuilt(): void {
  for (const [name, dir] of RUNTIME_DEPENDENCIES) {
    if (!existsSync(join(REPO_DIR, dir, 'dist', 'index.js'))) {
      execFileSync('pnpm', ['--filter', name, 'build'], { cwd: REPO_DIR, stdio: 'pipe' });
    }
  }
  const built = join(PACKAGE_DIR, 'dist', 'index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(PACKAGE_DIR, 'src'))) {
    execFileSync('pnpm', ['build'], { cwd: PACKAGE_DIR, stdio: 'pipe' });
  }
}
