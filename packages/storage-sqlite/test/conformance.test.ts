import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordCipher } from '@hft/auth-core';
import { runTokenStoreConformance } from '@hft/storage-conformance';
import { keyvTokenStore } from '@hft/storage-keyv';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { createSqliteTokenStore, DEFAULT_TABLE } from '../src/index.js';
import { rawSql } from './helpers/raw-sql.js';

const BROKEN_TABLE = `${DEFAULT_TABLE}_broken`;

for (const encrypted of [false, true]) {
  runTokenStoreConformance({
    name: `sqlite${encrypted ? ' (encrypted)' : ''}`,
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'hft-sqlite-conformance-'));
      const path = join(dir, 'state', 'tokens.db');
      const cipher = encrypted ? createRecordCipher({ key: randomBytes(32) }) : undefined;
      let broken = false;
      return {
        open: async () => createSqliteTokenStore({ path, ...(cipher ? { cipher } : {}) }),
        // The records table disappears under the open connections (as when another program
        // drops or rebuilds it): every statement on it fails with "no such table". Renaming it
        // back restores the very same rows.
        breakBackend: async () => {
          await rawSql(path, `ALTER TABLE ${DEFAULT_TABLE} RENAME TO ${BROKEN_TABLE}`);
          broken = true;
        },
        repairBackend: async () => {
          if (!broken) return;
          await rawSql(path, `ALTER TABLE ${BROKEN_TABLE} RENAME TO ${DEFAULT_TABLE}`);
          broken = false;
        },
        teardown: () => rm(dir, { recursive: true, force: true }),
        // What versions before the account index did: a plain Keyv write of the record.
        async writeAsOlderVersion(key, record) {
          const keyv = new Keyv({
            store: new KeyvSqlite({ uri: path, table: DEFAULT_TABLE }),
            namespace: undefined,
            useKeyPrefix: false,
          });
          const old = keyvTokenStore(keyv, {
            name: 'sqlite',
            pollIntervalMs: 0,
            ...(cipher ? { cipher } : {}),
          });
          await old.set(key, record);
          await old.close();
        },
      };
    },
  });
}
