import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerHome } from './registry.js';

let root: string | undefined;

/** This test file's temp root (created on first use; the setup file deletes it). */
export function tempRoot(): string {
  root ??= mkdtempSync(join(tmpdir(), 'hft-cli-e2e-'));
  return root;
}

/** A fresh directory under the temp root. */
export function tempDir(prefix = 'dir-'): string {
  mkdirSync(tempRoot(), { recursive: true });
  return mkdtempSync(join(tempRoot(), prefix));
}

/** A fresh HFT_HOME (registered for the log scan). */
export function newHome(): string {
  const home = tempDir('home-');
  registerHome(home);
  return home;
}

export { freePort } from '@hft/test-kit';

/** Deletes this test file's temp root, if one was created. */
export function removeTempRoot(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}
