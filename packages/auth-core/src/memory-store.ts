import { StorageError } from '@hft/errors';
import { assertNonEmptyString } from '@hft/errors/assert';
import { type Clock, systemClock } from '@hft/time/core';
import { summarizeRecord } from './account-summary.js';
import { type ChangeFanout, createChangeFanout } from './change-fanout.js';
import { withLease } from './lease-lock.js';
import type { TokenRecord } from './token-record.js';
import { assertTokenRecord } from './token-record-check.js';
import type { TokenStore, Unsubscribe } from './token-store.js';

/**
 * The shared state behind one or more memory stores: what a database server is to its
 * clients. Two stores over one backend see each other's writes, locks and notifications.
 */
export interface MemoryBackend {
  /** Makes every operation of every store over this backend fail with `StorageError` (tests), until cleared with `undefined`. */
  failWith(cause: Error | undefined): void;
  /** Number of `get` calls served (tests of single flight count store reads with it). */
  readonly reads: number;
}

interface MemoryBackendState extends MemoryBackend {
  records: Map<string, string>;
  leases: Map<string, { owner: string; until: number }>;
  changes: ChangeFanout;
  failure: Error | undefined;
  readCount: number;
}

/** Creates an empty {@link MemoryBackend}. */
export function createMemoryBackend(): MemoryBackend {
  const state: MemoryBackendState = {
    records: new Map(),
    leases: new Map(),
    // Asynchronous delivery, like every real backend: a slow or throwing listener must not delay
    // or fail the write that triggered it.
    changes: createChangeFanout(),
    failure: undefined,
    readCount: 0,
    failWith(cause) {
      state.failure = cause;
    },
    get reads() {
      return state.readCount;
    },
  };
  return state;
}

/** Options of {@link createMemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /** Share a backend between several stores; a fresh one by default. */
  backend?: MemoryBackend;
  /** Clock for lease expiry. Default: the system clock. */
  clock?: Clock;
}

/**
 * The reference {@link TokenStore}: in-process, no persistence. Records are stored serialised,
 * so callers never share objects with the store. Used by tests, by single-process tools, and as
 * the first target of the storage conformance suite.
 */
export function createMemoryTokenStore(options: MemoryTokenStoreOptions = {}): TokenStore {
  const backend = (options.backend ?? createMemoryBackend()) as MemoryBackendState;
  const clock = options.clock ?? systemClock;
  const name = 'memory';
  let closed = false;
  const mine = new Set<Unsubscribe>();

  function check(operation: string, key?: string): void {
    if (closed) {
      throw new StorageError(`${name} store: ${operation} after close()`, {
        backend: name,
        details: { backend: name, operation, ...(key === undefined ? {} : { key }) },
      });
    }
    if (backend.failure) {
      throw new StorageError(`${name} store: ${operation} failed: ${backend.failure.message}`, {
        backend: name,
        cause: backend.failure,
        details: { backend: name, operation, ...(key === undefined ? {} : { key }) },
      });
    }
  }

  return {
    name,
    async get(key) {
      assertNonEmptyString(key, 'key');
      check('get', key);
      backend.readCount += 1;
      const raw = backend.records.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as TokenRecord);
    },
    async set(key, record) {
      assertNonEmptyString(key, 'key');
      assertTokenRecord(record);
      check('set', key);
      const stored = JSON.stringify(record);
      backend.records.set(key, stored);
      // Listeners see the record as `get` returns it (the stored form), not the caller's object.
      backend.changes.publish({ key, kind: 'set', record: JSON.parse(stored) as TokenRecord });
    },
    async delete(key) {
      assertNonEmptyString(key, 'key');
      check('delete', key);
      const existed = backend.records.delete(key);
      if (existed) backend.changes.publish({ key, kind: 'delete' });
      return existed;
    },
    async list() {
      check('list');
      return [...backend.records.keys()];
    },
    async summaries() {
      check('summaries');
      return [...backend.records].map(([key, raw]) => summarizeRecord(key, JSON.parse(raw) as TokenRecord));
    },
    withLock(key, ttlMs, fn, lockOptions) {
      return withLease(
        {
          backend: name,
          async tryAcquire(k, owner, ttl) {
            check('lock', k);
            const now = clock.now();
            const held = backend.leases.get(k);
            if (held && held.until > now) return false;
            backend.leases.set(k, { owner, until: now + ttl });
            return true;
          },
          async release(k, owner) {
            if (backend.leases.get(k)?.owner === owner) backend.leases.delete(k);
          },
        },
        key,
        ttlMs,
        fn,
        lockOptions,
      );
    },
    watch(key, onChange): Unsubscribe {
      assertNonEmptyString(key, 'key');
      check('watch', key);
      const unsubscribe = backend.changes.subscribe(key, onChange);
      const stop = () => {
        unsubscribe();
        mine.delete(stop);
      };
      mine.add(stop);
      return stop;
    },
    watchAll(onChange): Unsubscribe {
      check('watch');
      const unsubscribe = backend.changes.subscribeAll(onChange);
      const stop = () => {
        unsubscribe();
        mine.delete(stop);
      };
      mine.add(stop);
      return stop;
    },
    async close() {
      closed = true;
      for (const stop of [...mine]) stop();
    },
  };
}
