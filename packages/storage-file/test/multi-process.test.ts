import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMultiProcessConformance } from '@hft/storage-conformance';
import { expect } from 'vitest';
import { LISTING_DIR } from '../src/file-names.js';
import { createFileTokenStore } from '../src/index.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

runMultiProcessConformance({
  name: 'file',
  packageDir: PACKAGE_DIR,
  // Files are where a cut write shows (a torn rename, a half-written temp file), sealed or not.
  killedWriter: { kills: 200, sealOddWriters: true },
  // A lease file records host and pid: a dead holder on this host is taken over at once.
  takesOverDeadLocalHolder: true,
  async setup() {
    const root = await mkdtemp(join(tmpdir(), 'hft-file-mp-'));
    const dir = join(root, 'tokens');
    return {
      child: {
        module: join(PACKAGE_DIR, 'dist', 'index.js'),
        factory: 'createFileTokenStore',
        options: { dir },
      },
      open: async (cipher) => createFileTokenStore({ dir, ...(cipher ? { cipher } : {}) }),
      async inspectLock(_key, holderPid) {
        const locks = join(dir, '.locks');
        const name = (await readdir(locks)).find((n) => n.endsWith('.lock'));
        const info = JSON.parse(await readFile(join(locks, name!), 'utf8')) as Record<string, unknown>;
        expect(info).toMatchObject({ pid: holderPid, host: expect.any(String), owner: expect.any(String) });
        expect(typeof info.expires_at_ms).toBe('number');
        expect(info.expires_at).toMatch(/\+05:30$/);
      },
      async afterMixed() {
        // One file per account, 0600, no temp file left. (Whether the original file name is still
        // taken depends on whether the account that claimed it was deleted at the end.)
        const store = createFileTokenStore({ dir });
        const accounts = await store.list();
        await store.close();
        const names = (await readdir(dir)).filter((n) => n !== '.locks' && n !== LISTING_DIR).sort();
        expect(names, names.join(', ')).toHaveLength(accounts.length);
        for (const name of names) expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
      },
      teardown: () => rm(root, { recursive: true, force: true }),
    };
  },
});
