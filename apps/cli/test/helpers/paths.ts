import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/cli */
export const CLI_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The built bin the tests run as a child process. */
export const CLI_BIN = join(CLI_DIR, 'dist', 'hft.cjs');
/** Where tests leave files worth looking at (screenshots); gitignored. */
export const ARTIFACTS_DIR = join(CLI_DIR, 'test-artifacts');

function newestMtime(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newestMtime(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (found.mtimeMs > newest.mtimeMs) newest = found;
  }
  return newest;
}

/**
 * Fails with instructions when the CLI was not built, or was built before its sources last
 * changed: these tests run the real bin, so a stale build would test old code.
 */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_BIN)) {
    throw new Error(
      `${CLI_BIN} does not exist: the e2e tests run the built CLI. Build it and its workspace dependencies first: cd ${join(CLI_DIR, '..', '..')} && pnpm --filter @hft/cli... build`,
    );
  }
  const built = statSync(CLI_BIN).mtimeMs;
  const source = newestMtime(join(CLI_DIR, 'src'));
  if (source.mtimeMs > built) {
    throw new Error(
      `${CLI_BIN} is older than ${source.path}: rebuild the CLI before testing (cd ${CLI_DIR} && pnpm build)`,
    );
  }
}
