import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMultiProcessConformance } from '@hft/storage-conformance';
import { expect } from 'vitest';
import { createSqliteTokenStore, DEFAULT_LEASE_TABLE } from '../src/index.js';
import { rawSql } from './helpers/raw-sql.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

runMultiProcessConformance({
  name: 'sqlite',
  packageDir: PACKAGE_DIR,
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'hft-sqlite-mp-'));
    // A directory that does not exist yet: every child creates the database (and switches it to WAL) at once.
    const path = join(dir, 'shared', 'tokens.db');
    return {
      child: {
        module: join(PACKAGE_DIR, 'dist', 'index.js'),
        factory: 'createSqliteTokenStore',
        options: { path, watchIntervalMs: 50 },
      },
      open: async (cipher) =>
        createSqliteTokenStore({ path, watchIntervalMs: 50, ...(cipher ? { cipher } : {}) }),
      async inspectLock(key, holderPid) {
        const [row] = await rawSql<{ owner: string }>(
          path,
          `SELECT owner FROM ${DEFAULT_LEASE_TABLE} WHERE key = ?`,
          key,
        );
        expect(row?.owner.startsWith(`${holderPid}:`)).toBe(true);
      },
      async afterMixed() {
        expect(await rawSql(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
        expect(await rawSql(path, `SELECT * FROM ${DEFAULT_LEASE_TABLE}`)).toEqual([]);
      },
      teardown: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
