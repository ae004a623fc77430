import { createChangeFanout, type TokenStoreChange, type Unsubscribe } from '@hft/auth-core/store';
import type { SqliteConnection } from './sqlite-connection.js';
import { holdStatements } from './watch-barrier.js';

/** Options of {@link dataVersionWatcher}. */
export interface DataVersionWatcherOptions {
  /** Opens the watcher's own connection (called on first use, and again after a failure). */
  connect(): Promise<SqliteConnection>;
  /** Table of records (a checked identifier). */
  table: string;
  /** Poll interval in ms. */
  intervalMs: number;
  /** Identity of the database for {@link holdStatements}. */
  database: string;
}

/** Change notifications for keys of one SQLite table, by polling `PRAGMA data_version`. */
export interface DataVersionWatcher {
  /** Calls `onChange` when the stored value of `key` changes. */
  watch(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Calls `onChange` for every key whose stored value changes (keys stored later included). */
  watchAll(onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Stops polling and closes the connection. Throws the driver's error if closing fails. */
  close(): Promise<void>;
}

/**
 * Polls `PRAGMA data_version` on a dedicated connection every `intervalMs` while at least one key
 * is watched. The value changes only when another connection (any process, or another store in
 * this one) committed, so an idle database costs one tiny statement per interval. On a change it
 * re-reads the watched keys in one query and notifies the keys whose stored value differs from
 * the last one seen: writes to other keys, and lock traffic, notify nobody.
 *
 * Watchers of every key (`watchAll`) are polled the same way: an idle database still costs one
 * `PRAGMA` per interval; after a commit, every record is read in one query and compared with the
 * values seen before (the table keeps no per-row version that would let it read fewer).
 */
export function dataVersionWatcher(options: DataVersionWatcherOptions): DataVersionWatcher {
  const { table, intervalMs, database } = options;
  const selectWatched = `SELECT key, value FROM "${table}" WHERE key IN (SELECT value FROM json_each(?))`;
  const selectAll = `SELECT key, value FROM "${table}" WHERE key LIKE 'upstox:%'`;
  const everyKey = new Set<(change: TokenStoreChange) => void>();
  /** The values seen by the last full read, for watchers of every key; `undefined` before one. */
  let allSeen: Map<string, string> | undefined;
  /** Releases the statements held until the first full read of a new watcher of every key. */
  let allArmed: Array<() => void> = [];
  /** Per key whose first read is pending: resolves the promise registered with {@link holdStatements}. */
  const armed = new Map<string, () => void>();
  const release = (key: string) => {
    armed.get(key)?.();
    armed.delete(key);
  };
  // The last stored value seen per key (the raw column, `undefined` for no row) is the fan-out's
  // version: a re-read that finds the value already seen notifies nobody.
  const changes = createChangeFanout({
    delivery: 'sync',
    onWatched(key) {
      holdStatements(
        database,
        new Promise<void>((resolve) => {
          armed.set(key, resolve);
        }),
      );
      pollNow();
    },
    onUnwatched(key) {
      release(key);
      if (changes.size === 0 && everyKey.size === 0) {
        version = undefined;
        if (timer) clearTimeout(timer);
        timer = undefined;
      }
    },
  });
  let connection: Promise<SqliteConnection> | undefined;
  let version: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const connect = (): Promise<SqliteConnection> => {
    if (!connection) {
      const opening = options.connect();
      connection = opening;
      opening.catch(() => {
        if (connection === opening) connection = undefined;
      });
    }
    return connection;
  };

  const tick = async (): Promise<void> => {
    const firstReads = new Set(armed.values());
    const allFirstReads = allArmed;
    allArmed = [];
    try {
      const db = await connect();
      // The version is read before the values: a commit landing between the two reads shows up as
      // a change next time, when the re-read finds the value already seen and notifies nobody.
      const [row] = await db.all<{ data_version: number }>('PRAGMA data_version');
      const current = row?.data_version;
      const changed = version !== undefined && current !== version;
      if (everyKey.size > 0 && (changed || allSeen === undefined)) {
        const rows = await db.all<{ key: string; value: string }>(selectAll);
        const now = new Map(rows.map((r) => [r.key, r.value]));
        const before = allSeen;
        allSeen = now;
        const news: TokenStoreChange[] = [];
        if (before) {
          for (const [key, value] of now) if (before.get(key) !== value) news.push({ key, kind: 'set' });
          for (const key of before.keys()) if (!now.has(key)) news.push({ key, kind: 'delete' });
        }
        for (const change of news) {
          for (const listener of [...everyKey]) {
            try {
              listener({ ...change });
            } catch {
              // A listener's failure is its own.
            }
          }
        }
      }
      const keys = changes.keys().filter((key) => changed || !changes.knows(key));
      if (keys.length > 0) {
        const rows = await db.all<{ key: string; value: string }>(selectWatched, JSON.stringify(keys));
        const stored = new Map(rows.map((r) => [r.key, r.value]));
        for (const key of keys) {
          const now = stored.get(key);
          if (!changes.knows(key)) changes.remember(key, now);
          else changes.publish({ key, kind: now === undefined ? 'delete' : 'set' }, now);
        }
      }
      version = current;
    } catch {
      // An outage: keep the last view and retry next interval; get/set report the failure.
    } finally {
      for (const resolve of allFirstReads) resolve();
      for (const [key, resolve] of [...armed]) {
        if (changes.knows(key) || firstReads.has(resolve)) release(key);
      }
    }
  };

  const run = () => {
    running = tick().then(() => {
      running = undefined;
      const soon = again;
      again = false;
      if (closed || (changes.size === 0 && everyKey.size === 0)) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          run();
        },
        soon ? 0 : intervalMs,
      );
      // Watching alone must not keep a process alive.
      timer.unref();
    });
  };

  const pollNow = () => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    run();
  };

  return {
    watch: (key, onChange) => changes.subscribe(key, onChange),
    watchAll(onChange) {
      const listener = (change: TokenStoreChange) => onChange(change);
      everyKey.add(listener);
      // As for one key: writes of this process wait for the first full read, so none is taken
      // for the starting state.
      if (allSeen === undefined) {
        holdStatements(
          database,
          new Promise<void>((resolve) => {
            allArmed.push(resolve);
          }),
        );
      }
      pollNow();
      return () => {
        if (!everyKey.delete(listener) || everyKey.size > 0) return;
        allSeen = undefined;
        if (changes.size === 0) {
          version = undefined;
          if (timer) clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      for (const key of [...armed.keys()]) release(key);
      changes.clear();
      everyKey.clear();
      for (const resolve of allArmed.splice(0)) resolve();
      const opened = await connection?.catch(() => undefined);
      connection = undefined;
      await opened?.close();
    },
  };
}
