import type { TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';
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
  /** Stops polling and closes the connection. Throws the driver's error if closing fails. */
  close(): Promise<void>;
}

const UNKNOWN = Symbol('unknown');

interface Entry {
  subscribers: Set<{ onChange: (change: TokenStoreChange) => void }>;
  /** Last stored value seen (the raw column), `undefined` for no row, UNKNOWN before the first read. */
  value: string | undefined | typeof UNKNOWN;
  /** Resolves the first-read promise registered with {@link holdStatements}. */
  armed: (() => void) | undefined;
}

/**
 * Polls `PRAGMA data_version` on a dedicated connection every `intervalMs` while at least one key
 * is watched. The value changes only when another connection (any process, or another store in
 * this one) committed, so an idle database costs one tiny statement per interval. On a change it
 * re-reads the watched keys in one query and notifies the keys whose stored value differs from
 * the last one seen: writes to other keys, and lock traffic, notify nobody.
 */
export function dataVersionWatcher(options: DataVersionWatcherOptions): DataVersionWatcher {
  const { table, intervalMs, database } = options;
  const selectWatched = `SELECT key, value FROM "${table}" WHERE key IN (SELECT value FROM json_each(?))`;
  const entries = new Map<string, Entry>();
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

  const notify = (key: string, entry: Entry, kind: TokenStoreChange['kind']) => {
    for (const subscriber of [...entry.subscribers]) {
      try {
        subscriber.onChange({ key, kind });
      } catch {
        // A subscriber's own failure must not stop the poller or the other subscribers.
      }
    }
  };

  const tick = async (): Promise<void> => {
    const firstReads = [...entries.values()].filter((entry) => entry.value === UNKNOWN);
    try {
      const db = await connect();
      // The version is read before the values: a commit landing between the two reads shows up as
      // a change next time, when the re-read finds the value already seen and notifies nobody.
      const [row] = await db.all<{ data_version: number }>('PRAGMA data_version');
      const current = row?.data_version;
      const changed = version !== undefined && current !== version;
      const keys = [...entries].filter(([, entry]) => changed || entry.value === UNKNOWN).map(([key]) => key);
      if (keys.length > 0) {
        const rows = await db.all<{ key: string; value: string }>(selectWatched, JSON.stringify(keys));
        const stored = new Map(rows.map((r) => [r.key, r.value]));
        for (const key of keys) {
          const entry = entries.get(key);
          if (!entry) continue;
          const previous = entry.value;
          const now = stored.get(key);
          entry.value = now;
          if (previous !== UNKNOWN && previous !== now)
            notify(key, entry, now === undefined ? 'delete' : 'set');
        }
      }
      version = current;
    } catch {
      // An outage: keep the last view and retry next interval; get/set report the failure.
    } finally {
      for (const entry of entries.values()) {
        if (entry.armed && (entry.value !== UNKNOWN || firstReads.includes(entry))) {
          entry.armed();
          entry.armed = undefined;
        }
      }
    }
  };

  const run = () => {
    running = tick().then(() => {
      running = undefined;
      const soon = again;
      again = false;
      if (closed || entries.size === 0) return;
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
    watch(key, onChange) {
      let entry = entries.get(key);
      if (!entry) {
        const created: Entry = { subscribers: new Set(), value: UNKNOWN, armed: undefined };
        holdStatements(
          database,
          new Promise<void>((resolve) => {
            created.armed = resolve;
          }),
        );
        entries.set(key, created);
        entry = created;
        pollNow();
      }
      const owner = entry;
      const subscriber = { onChange };
      owner.subscribers.add(subscriber);
      return () => {
        owner.subscribers.delete(subscriber);
        if (owner.subscribers.size > 0 || entries.get(key) !== owner) return;
        entries.delete(key);
        owner.armed?.();
        owner.armed = undefined;
        if (entries.size === 0) {
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
      for (const entry of entries.values()) entry.armed?.();
      entries.clear();
      const opened = await connection?.catch(() => undefined);
      connection = undefined;
      await opened?.close();
    },
  };
}
