import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's directory. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Workspace packages `dir` needs at run time (dependencies and peers), dependencies first. */
function workspaceRuntimeDeps(dir: string, seen = new Map<string, string>()): Map<string, string> {
  const manifest = readManifest(dir);
  for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (!range.startsWith('workspace:') || seen.has(name)) continue;
    const depDir = realpathSync(join(dir, 'node_modules', name));
    workspaceRuntimeDeps(depDir, seen);
    seen.set(name, depDir);
  }
  return seen;
}

/**
 * Child processes run plain Node, which loads the built `dist/` of this package and of the
 * workspace packages it imports. Builds this package when its dist is missing or older than its
 * sources, and any workspace dependency whose dist is missing (never rebuilds those: other
 * packages' builds are their own business).
 */
export function ensureBuilt(): void {
  for (const [name, dir] of workspaceRuntimeDeps(PACKAGE_DIR)) {
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      execFileSync('pnpm', ['--filter', name, 'build'], { cwd: PACKAGE_DIR, stdio: 'pipe' });
    }
  }
  const built = join(PACKAGE_DIR, 'dist', 'index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(PACKAGE_DIR, 'src'))) {
    execFileSync('pnpm', ['build'], { cwd: PACKAGE_DIR, stdio: 'pipe' });
  }
}
