import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenStore } from '@hft/auth-core';
import { afterEach, beforeEach } from 'vitest';
import { createFileTokenStore, type FileStoreWarning, type FileTokenStoreOptions } from '../../src/index.js';

/** A fresh temp root per test (`root`), with `dir` = `<root>/tokens` (not created), and a store opener that records warnings. */
export function useTempDir() {
  const state = {
    root: '',
    dir: '',
    warnings: [] as FileStoreWarning[],
    stores: [] as TokenStore[],
    open(options: Partial<FileTokenStoreOptions> = {}): TokenStore {
      const store = createFileTokenStore({
        dir: state.dir,
        onWarning: (w) => state.warnings.push(w),
        ...options,
      });
      state.stores.push(store);
      return store;
    },
  };
  beforeEach(async () => {
    state.root = await mkdtemp(join(tmpdir(), 'hft-file-'));
    state.dir = join(state.root, 'tokens');
    state.warnings = [];
  });
  afterEach(async () => {
    for (const store of state.stores.splice(0)) await store.close();
    await rm(state.root, { recursive: true, force: true });
  });
  return state;
}
