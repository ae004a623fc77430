// A store for short read-mostly commands (`hft token`, `hft status --json`): reads go through a
// backend's lean reader (one connection, one query, none of the full store's stack), and the
// full store is opened only for what the reader does not do, or when the reader fails, so every
// error a command shows is the full store's own.
import { StorageError } from '@hft/errors';
import { type AccountSummary, parseSummary, summarizeRecord } from './account-summary.js';
import type { RecordCipher } from './crypto/record-cipher.js';
import { createRecordCodec } from './record-codec.js';
import type { TokenRecord } from './token-record.js';
import type { TokenStore, TokenStoreChange, Unsubscribe, WithLockOptions } from './token-store.js';

/**
 * What a backend's lean reader does: the stored text of records, as the full store's record
 * codec wrote it, and the account keys. It may throw anything on anything unusual (a missing
 * file or table, an expired entry, a refused connection): {@link readerFirstStore} then asks the
 * full store, which says what is wrong in its own words.
 */
export interface RecordReader {
  /** The codec text stored under `key`, or `undefined` when nothing is stored. */
  get(key: string): Promise<string | undefined>;
  /** Every stored account key, as the full store's `list()` gives them. */
  list(): Promise<string[]>;
  /**
   * The key the backend's name index gives for account name `name` (a hint: the caller reads the
   * record and checks its name), or `undefined`. Absent when the backend keeps no name index.
   */
  keyNamed?(name: string): Promise<string | undefined>;
  /**
   * Every account's summary as the backend's account index keeps it: `[key, summary JSON]`, one
   * round trip. Throws when a record has no valid entry (an older version wrote it), so that the
   * full store reads and repairs it. Absent when the backend keeps no account index.
   */
  summaryTexts?(): Promise<Array<[string, string]>>;
  /** Releases the connection. Never throws. */
  close(): Promise<void>;
}

/**
 * The listing and all-accounts watch of stores that keep an account index (issue 14). Declared
 * here as well, so that this wrapper offers them whether or not the `TokenStore` it wraps does.
 */
export interface AccountListing {
  /** A summary (no secret) of every stored account. */
  summaries(): Promise<AccountSummary[]>;
  /** Calls `onChange` for a change of any account; returns the unsubscribe function. */
  watchAll(onChange: (change: TokenStoreChange) => void): Unsubscribe;
}

/**
 * Up to this many accounts, `summaries()` of a {@link readerFirstStore} is answered by the
 * reader (a listing and one read per account: still a few statements); beyond it, by the full
 * store, whose account index lists a fleet in one round trip.
 */
export const READER_SUMMARIES_MAX = 16;

/** Options of {@link readerFirstStore}. */
export interface ReaderFirstStoreOptions {
  /** Backend name (`sqlite`, `redis`): the full store's `name`, used by the codec's messages. */
  name: string;
  /** Opens the lean reader (called at most once, on the first read). */
  openReader: () => Promise<RecordReader>;
  /** Opens the full store (called at most once: on the first write, lock, watch or failed read). */
  openStore: () => Promise<TokenStore>;
  /** The cipher the full store decodes with, when records are sealed. */
  cipher?: RecordCipher;
}

/**
 * A {@link TokenStore} whose `get` and `list` go through a lean {@link RecordReader} and decode
 * with the same record codec as the full store, while `set`, `delete`, `withLock`, `watch` (and a
 * read the reader could not answer, or whose text does not decode) go to the full store, opened
 * on first need. So results and errors are those of the full store; only the cost of opening
 * differs.
 */
export function readerFirstStore(options: ReaderFirstStoreOptions): TokenStore & AccountListing {
  const { name } = options;
  const codec = createRecordCodec({ backend: name, ...(options.cipher ? { cipher: options.cipher } : {}) });
  let reader: Promise<RecordReader | undefined> | undefined;
  let full: Promise<TokenStore> | undefined;
  let closed = false;
  const openReader = () => {
    // A reader that cannot open is not an error: the full store is asked instead.
    reader ??= options.openReader().catch(() => undefined);
    return reader;
  };
  const store = () => {
    full ??= options.openStore();
    return full;
  };
  const ensureOpen = (operation: string) => {
    if (closed) throw new StorageError(`${name} store: ${operation} after close()`, { backend: name });
  };
  const read = async <T>(
    operation: string,
    viaReader: (r: RecordReader) => Promise<T>,
    viaStore: (s: TokenStore) => Promise<T>,
  ) => {
    ensureOpen(operation);
    if (full === undefined) {
      const r = await openReader();
      if (r !== undefined) {
        try {
          return await viaReader(r);
        } catch {
          // Anything unusual: the full store answers, with its own error if there is one.
        }
      }
    }
    return viaStore(await store());
  };

  return {
    name,
    get: (key) =>
      read<TokenRecord | undefined>(
        'get',
        async (r) => {
          const text = await r.get(key);
          return text === undefined ? undefined : codec.decode(key, text);
        },
        (s) => s.get(key),
      ),
    list: () =>
      read(
        'list',
        (r) => r.list(),
        (s) => s.list(),
      ),
    summaries: () =>
      read<AccountSummary[]>(
        'summaries',
        async (r) => {
          if (r.summaryTexts) {
            return (await r.summaryTexts()).map(([key, text]) => {
              const summary = parseSummary(key, text);
              // An entry this version would not trust: the full store rebuilds it.
              if (summary === undefined) throw new Error(`${key}: the index entry needs repair`);
              return summary;
            });
          }
          const keys = await r.list();
          if (keys.length > READER_SUMMARIES_MAX) throw new Error('a fleet: the full store lists it');
          const out: AccountSummary[] = [];
          for (const key of keys) {
            const text = await r.get(key);
            if (text !== undefined) out.push(summarizeRecord(key, codec.decode(key, text)));
          }
          return out;
        },
        async (s) => {
          const listing = (s as TokenStore & Partial<AccountListing>).summaries;
          if (listing) return listing.call(s);
          const out: AccountSummary[] = [];
          for (const key of await s.list()) {
            const record = await s.get(key);
            if (record) out.push(summarizeRecord(key, record));
          }
          return out;
        },
      ),
    accountNamed: (accountName) =>
      read<{ key: string; record: TokenRecord } | undefined>(
        'get',
        async (r) => {
          if (!r.keyNamed) throw new Error('no name index: the full store answers');
          const key = await r.keyNamed(accountName);
          if (key === undefined) return undefined;
          const text = await r.get(key);
          const record = text === undefined ? undefined : codec.decode(key, text);
          // The index is a hint: only a record that carries the name answers for it.
          return record?.accountName === accountName ? { key, record } : undefined;
        },
        async (s) => s.accountNamed?.(accountName),
      ),
    set: async (key, record) => (await store()).set(key, record),
    delete: async (key) => (await store()).delete(key),
    withLock: async <T>(key: string, ttlMs: number, fn: () => Promise<T>, lockOptions?: WithLockOptions) =>
      (await store()).withLock(key, ttlMs, fn, lockOptions),
    watch(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe {
      let stop: Unsubscribe | undefined;
      let stopped = false;
      store().then(
        (s) => {
          if (!stopped) stop = s.watch(key, onChange);
        },
        // The next read or write reports an unopenable store.
        () => {},
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
    watchAll(onChange: (change: TokenStoreChange) => void): Unsubscribe {
      let stop: Unsubscribe | undefined;
      let stopped = false;
      store().then(
        (s) => {
          const all = (s as TokenStore & Partial<AccountListing>).watchAll;
          if (!stopped && all) stop = all.call(s, onChange);
        },
        () => {},
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const r = reader;
      const s = full;
      await (await r)?.close();
      await (await s?.catch(() => undefined))?.close();
    },
  };
}
