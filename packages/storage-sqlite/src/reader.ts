// The lean reader of a SQLite token store, for short commands (`hft token`): one connection and
// one SELECT (the store's account index for names and listings), without Keyv, the lease table or the watcher. Built also as a self-contained
// CommonJS file (dist/reader.cjs) so a CommonJS caller loads it without the ES module loader.
import { statSync } from 'node:fs';
import type { RecordReader } from '@hft/auth-core/store';
import { storedString } from '@hft/storage-keyv/stored-entry';
import { listingQuery, nameQuery } from './index-queries.js';
import { openConnection } from './sqlite-connection.js';
import { resolveSqliteOptions, type SqliteTokenStoreOptions } from './sqlite-options.js';

/** Options of {@link openSqliteReader}: the store's own, of which `path`, `table` and `busyTimeoutMs` count. */
export type SqliteReaderOptions = Pick<SqliteTokenStoreOptions, 'path' | 'table' | 'busyTimeoutMs'>;

/**
 * Opens a read-only view of the records `createSqliteTokenStore` keeps in `options.path`: the
 * stored codec text by key, and the account keys, each one statement on one connection.
 *
 * Only for a database the store has set up: a missing file or table, a file readable by others
 * (the store would tighten it to 0600 first) or an entry Keyv would treat specially (expired,
 * not a string) make it throw, so that the caller (`readerFirstStore`) asks the full store.
 * @throws InputError for invalid options; the driver's or a plain `Error` otherwise.
 */
export async function openSqliteReader(options: SqliteReaderOptions): Promise<RecordReader> {
  const { path, table, busyTimeoutMs } = resolveSqliteOptions(options);
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path} is not 0600 yet`);
  const db = await openConnection(path, busyTimeoutMs);
  return {
    async get(key) {
      const rows = await db.all<{ value: string | null }>(`SELECT value FROM "${table}" WHERE key = ?`, key);
      return storedString(rows[0]?.value);
    },
    async list() {
      // The rows Keyv's iterator over @keyv/sqlite visits, in one statement instead of pages of ten.
      const rows = await db.all<{ key: unknown; value: string | null }>(
        `SELECT key, value FROM "${table}" WHERE key LIKE ?`,
        '%',
      );
      const keys: string[] = [];
      for (const { key, value } of rows) {
        if (value === null || storedString(value) === undefined)
          throw new Error(`${String(key)} holds no value`);
        if (typeof key === 'string' && key.startsWith('upstox:')) keys.push(key);
      }
      return keys;
    },
    async keyNamed(name) {
      const [row] = await db.all<{ key: string }>(nameQuery(table), name);
      return row?.key;
    },
    async summaryTexts() {
      const rows = await db.all<{ key: string; summary: string | null }>(listingQuery(table));
      return rows.map(({ key, summary }): [string, string] => {
        // Written by an older version, or a writer raced another: the full store repairs it.
        if (summary === null) throw new Error(`${key} has no summary yet`);
        return [key, summary];
      });
    },
    async close() {
      await db.close().catch(() => {});
    },
  };
}
