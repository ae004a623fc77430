import { createRecordCodec, type TokenStore } from '@hft/auth-core/store';
import { StorageError } from '@hft/errors';
import { keyvTokenStore } from '@hft/storage-keyv';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { dataVersionWatcher } from './data-version-watcher.js';
import { prepareDatabaseFile, tightenSidecarFiles } from './db-file.js';
import { openConnection, type SqliteConnection } from './sqlite-connection.js';
import { sqliteLease } from './sqlite-lease.js';
import {
  type ResolvedSqliteOptions,
  resolveSqliteOptions,
  type SqliteTokenStoreOptions,
} from './sqlite-options.js';
import { type SummaryIndex, summaryIndex } from './summary-index.js';
import { baselineReadsSettled } from './watch-barrier.js';

const NAME = 'sqlite';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isBusy = (error: unknown) => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/**
 * Switches the database to WAL mode; the mode is stored in the file, so every connection
 * (keyv's included, and other processes') uses it from then on. The switch needs a moment with
 * no other connection reading, and SQLite reports `SQLITE_BUSY` at once instead of waiting for
 * it (only here: ordinary statements wait through the busy timeout), so it is retried with
 * backoff for up to `busyTimeoutMs`.
 */
async function enableWal(db: SqliteConnection, busyTimeoutMs: number): Promise<void> {
  const [current] = await db.all<{ journal_mode: string }>('PRAGMA journal_mode');
  if (current?.journal_mode === 'wal') return;
  const started = performance.now();
  let retryMs = 2;
  for (;;) {
    try {
      const [mode] = await db.all<{ journal_mode: string }>('PRAGMA journal_mode=WAL');
      if (mode?.journal_mode === 'wal') return;
      throw new Error(
        `the database could not be switched to WAL mode (journal_mode is ${mode?.journal_mode ?? 'unknown'}); ` +
          'is it on a network file system?',
      );
    } catch (error) {
      if (!isBusy(error) || performance.now() - started >= busyTimeoutMs) throw error;
    }
    await delay(retryMs * (0.5 + Math.random()));
    retryMs = Math.min(retryMs * 2, 50);
  }
}

/** Puts the database in WAL mode and creates the lease table; runs on the store's own connection. */
async function configure(
  db: SqliteConnection,
  options: ResolvedSqliteOptions,
  index: SummaryIndex,
): Promise<void> {
  await enableWal(db, options.busyTimeoutMs);
  await index.install(db);
  await db.run(
    `CREATE TABLE IF NOT EXISTS "${options.leaseTable}" ` +
      '(key TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL, until INTEGER NOT NULL)',
  );
  await tightenSidecarFiles(options.path);
}

/** Opens the store's own connection and configures the database; closes it again on failure. */
async function openControl(options: ResolvedSqliteOptions, index: SummaryIndex): Promise<SqliteConnection> {
  const db = await openConnection(options.path, options.busyTimeoutMs);
  try {
    await configure(db, options, index);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * A `TokenStore` in one SQLite file, shared by every process on the machine: a strategy fleet on
 * one host sees one daily token, takes turns refreshing it and hears of each other's writes.
 *
 * Records go through `@hft/storage-keyv` over `@keyv/sqlite` (errors thrown, never "no token";
 * optional encryption). The store adds what keyv lacks: WAL mode and a busy timeout (readers and
 * writers of many processes never fail with `SQLITE_BUSY` under normal load), `withLock` as a
 * lease row taken in a `BEGIN IMMEDIATE` transaction, and `watch` by polling
 * `PRAGMA data_version` on a dedicated connection.
 *
 * The file and its `-wal` / `-shm` files get mode 0600; a missing directory is created 0700.
 * Opening is lazy: the first operation waits for it, and an open failure (not a database, WAL
 * unavailable...) makes that and every later operation fail with a `StorageError`; close the
 * store and create a new one once the file is fixed.
 *
 * @throws InputError for invalid options; StorageError (`HFT_STORAGE_UNAVAILABLE`, operation
 *   `open`) when the file or its directory cannot be created (e.g. the path is a directory).
 *   Operations throw `StorageError` naming `sqlite` with the driver's error as `cause`.
 */
export function createSqliteTokenStore(options: SqliteTokenStoreOptions): TokenStore {
  const resolved = resolveSqliteOptions(options);
  const { path, table, busyTimeoutMs } = resolved;
  try {
    prepareDatabaseFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StorageError(`${NAME} store: cannot create the database file ${path}: ${reason}`, {
      backend: NAME,
      cause: error,
      details: { backend: NAME, operation: 'open', paths: [path] },
    });
  }
  const database = `${path}\0${table}`;

  const codec = createRecordCodec({ backend: NAME, ...(resolved.cipher ? { cipher: resolved.cipher } : {}) });
  const index = summaryIndex({
    connection: () => control,
    records: (sql, ...params) => adapter.query(sql, ...params),
    table,
    async decode(key, column) {
      const data = (await keyv.deserialize?.(column)) as
        | { value?: unknown; expires?: number | null }
        | undefined;
      if (typeof data?.value !== 'string') return undefined;
      if (typeof data.expires === 'number' && data.expires <= Date.now()) return undefined;
      return { record: codec.decode(key, data.value, { operation: 'summaries' }), stored: data.value };
    },
  });
  // Rejections are observed here and re-raised by every operation that awaits them.
  const control: Promise<SqliteConnection> = openControl(resolved, index);
  control.catch(() => {});
  const adapter = new KeyvSqlite({ uri: path, table, busyTimeout: busyTimeoutMs });
  // The adapter connects in its constructor; awaiting a first statement surfaces its failure.
  const adapterOpen = adapter.query('SELECT 1').then(() => true);
  adapterOpen.catch(() => {});
  const ready = Promise.all([control, adapterOpen]).then(() => undefined);
  ready.catch(() => {});
  // Every statement of the adapter first waits for the configuration above (WAL, lease table)
  // and for the first reads of watchers in this process (see watch-barrier.ts).
  const query = adapter.query;
  adapter.query = async (sql: string, ...params: unknown[]) => {
    await ready;
    await baselineReadsSettled(database);
    return query(sql, ...params);
  };
  // No namespace: the row key is the account key itself, readable with the sqlite3 shell.
  const keyv = new Keyv({ store: adapter, namespace: undefined, useKeyPrefix: false });

  const watcher = dataVersionWatcher({
    connect: () => ready.then(() => openConnection(path, busyTimeoutMs)),
    table,
    intervalMs: resolved.watchIntervalMs,
    database,
  });
  const lease = sqliteLease(() => control, resolved.leaseTable, NAME);

  return keyvTokenStore(keyv, {
    name: NAME,
    ...(resolved.cipher ? { cipher: resolved.cipher } : {}),
    lease,
    watch: watcher.watch,
    watchAll: watcher.watchAll,
    summaries: index.summaries,
    keyNamed: index.keyNamed,
    // The record and its summary in one transaction, through the adapter's connection (and its
    // waits below).
    async write(key, encoded, ttlMs, record) {
      const expires = ttlMs === undefined ? undefined : Date.now() + ttlMs;
      const column = await keyv.serializeData({ value: encoded, expires });
      if (typeof column !== 'string') throw new Error('Keyv did not serialise the record to text');
      await index.write(key, column, record);
    },
    // Closed below, after the pollers, so that a failure to close one still closes the others.
    disconnect: false,
    async onClose() {
      const failures: unknown[] = [];
      await watcher.close().catch((error: unknown) => failures.push(error));
      await lease.idle();
      const own = await control.catch(() => undefined);
      await own?.close().catch((error: unknown) => failures.push(error));
      if (await adapterOpen.catch(() => false)) {
        await keyv.disconnect().catch((error: unknown) => failures.push(error));
      }
      if (failures.length > 0) throw failures[0];
    },
  });
}
