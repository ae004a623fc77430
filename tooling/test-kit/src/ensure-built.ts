import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  main?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Options of {@link ensureBuilt}. */
export interface EnsureBuiltOptions {
  /**
   * Files, relative to the package directory, that the tests run and that must be fresh. Default:
   * every file plain Node would load from the package's manifest (`exports` targets other than
   * `types` and `@hft/source`, `main`, `bin`).
   */
  outputs?: readonly string[];
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

// `types` is only for the compiler and `@hft/source` only for vitest: neither is loaded by Node.
const NOT_RUN_CONDITIONS = new Set(['types', '@hft/source']);

function exportTargets(exports: unknown, into: string[]): void {
  if (typeof exports === 'string') into.push(exports);
  else if (exports !== null && typeof exports === 'object') {
    for (const [key, value] of Object.entries(exports)) {
      if (!NOT_RUN_CONDITIONS.has(key)) exportTargets(value, into);
    }
  }
}

/** The built files a package's manifest points Node at (subpath patterns left out). */
function runtimeEntries(manifest: Manifest): string[] {
  const entries: string[] = [];
  exportTargets(manifest.exports, entries);
  if (manifest.main) entries.push(manifest.main);
  if (typeof manifest.bin === 'string') entries.push(manifest.bin);
  else if (manifest.bin) entries.push(...Object.values(manifest.bin));
  return entries.filter((entry) => !entry.includes('*'));
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Adds the workspace packages `dir` loads at run time to `found`, each after the ones it needs. */
function collectWorkspaceDeps(dir: string, found: Map<string, string>, visited: Set<string>): void {
  const manifest = readManifest(dir);
  for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (!range.startsWith('workspace:') || visited.has(name)) continue;
    visited.add(name);
    const link = join(dir, 'node_modules', name);
    if (!existsSync(link)) {
      throw new Error(`${manifest.name} needs ${name}, which is not linked into ${link}: run pnpm install`);
    }
    const depDir = realpathSync(link);
    collectWorkspaceDeps(depDir, found, visited);
    found.set(name, depDir);
  }
}

/**
 * Makes sure the built output that a test runs under plain Node (child processes, workers: Node 20
 * cannot load `.ts`) exists and matches the current sources, so such a test works when run on its
 * own, not only after the root build.
 *
 * - Every workspace package that `packageDir` needs at run time (`dependencies` and
 *   `peerDependencies` with a `workspace:` range, transitively) is built with
 *   `pnpm --filter <name> build`, dependencies first, when any file its manifest points Node at is
 *   missing. Such a package is never rebuilt because it is stale: its build is its own tests'
 *   business.
 * - The package itself is built with `pnpm build` (its own build script, run in `packageDir`) when
 *   it is stale: any of `outputs` is missing or older than the newest file anywhere under
 *   `packageDir/src`.
 *
 * Builds run synchronously with their output captured, so the calling hook needs a timeout long
 * enough for a build.
 *
 * @param packageDir the directory holding the package's `package.json` and `src/`
 * @throws Error when a build exits non-zero (the message carries the build's stderr), when a
 *   workspace dependency is not linked into `node_modules` (run `pnpm install`), when the package
 *   has no `src/` directory, or when there is nothing to check (no `outputs` given and the manifest
 *   points Node at no file).
 */
export function ensureBuilt(packageDir: string, options: EnsureBuiltOptions = {}): void {
  const found = new Map<string, string>();
  collectWorkspaceDeps(packageDir, found, new Set());
  for (const [name, dir] of found) {
    if (runtimeEntries(readManifest(dir)).some((entry) => !existsSync(join(dir, entry)))) {
      execFileSync('pnpm', ['--filter', name, 'build'], { cwd: packageDir, stdio: 'pipe' });
    }
  }
  const outputs = options.outputs ?? runtimeEntries(readManifest(packageDir));
  if (outputs.length === 0) {
    throw new Error(`${packageDir}: no outputs to check; pass them in options.outputs`);
  }
  const sources = newestMtime(join(packageDir, 'src'));
  const stale = outputs.some((output) => {
    const path = join(packageDir, output);
    return !existsSync(path) || statSync(path).mtimeMs < sources;
  });
  if (stale) execFileSync('pnpm', ['build'], { cwd: packageDir, stdio: 'pipe' });
}
