import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordCipher, type RecordCipher } from '@hft/auth-core';
import { runTokenStoreConformance, type StoreHarness } from '@hft/storage-conformance';
import { createFileTokenStore } from '../src/index.js';

/**
 * A fresh token directory per test. Tests run as root, for whom file modes block nothing, so the
 * backend is broken by putting a regular file where the directory should be.
 */
async function fileHarness(cipher?: RecordCipher): Promise<StoreHarness> {
  const root = await mkdtemp(join(tmpdir(), 'hft-file-conf-'));
  const dir = join(root, 'tokens');
  const parked = join(root, 'tokens.parked');
  let broken = false;
  return {
    async open() {
      return createFileTokenStore({ dir, ...(cipher ? { cipher } : {}) });
    },
    async breakBackend() {
      await rename(dir, parked);
      await writeFile(dir, 'not a directory');
      broken = true;
    },
    async repairBackend() {
      if (!broken) return;
      await rm(dir, { force: true });
      await rename(parked, dir);
      broken = false;
    },
    async teardown() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

runTokenStoreConformance({ name: 'file', setup: () => fileHarness() });

const cipher = createRecordCipher({ key: randomBytes(32) });
runTokenStoreConformance({ name: 'file (encrypted)', setup: () => fileHarness(cipher) });
