import {
  type AccountSummary,
  assertTokenRecord,
  createRecordCodec,
  type LeasePrimitives,
  type RecordCipher,
  summarizeRecord,
  type TokenRecord,
  type TokenStore,
  type TokenStoreChange,
  type Unsubscribe,
  withLease,
} from '@hft/auth-core/store';
import { ErrorCodes, StorageError } from '@hft/errors';
import type Keyv from 'keyv';
import { keyvLease } from './keyv-lease.js';
import { localBus } from './local-bus.js';

/** Options of {@link keyvTokenStore}. */
export interface KeyvTokenStoreOptions {
  /** Backend name used in every error message. Default `keyv`. */
  name?: string;
  /** Encrypt records at rest (AES-256-GCM, see `createRecordCipher`). */
  cipher?: RecordCipher;
  /**
   * Lease primitives for `withLock`. Default: a best-effort lease kept in the Keyv itself
   * (get-then-set-then-verify): safe within one process, racy across processes; backends with
   * an atomic primitive (SQLite transactions, Redis `SET NX PX`) pass their own.
   */
  lease?: LeasePrimitives;
  /**
   * Cross-process change notifications for `watch`. Default: polling every `pollIntervalMs`.
   * Changes made through store instances over the same Keyv object in this process are always
   * delivered at once.
   */
  watch?: (key: string, onChange: (change: TokenStoreChange) => void) => Unsubscribe;
  /**
   * Cross-process change notifications for `watchAll` (every key). Default: polling every record
   * every `pollIntervalMs` (a backend with notifications should pass its own).
   */
  watchAll?: (onChange: (change: TokenStoreChange) => void) => Unsubscribe;
  /**
   * The backend's own listing of summaries in one round trip (an index, one query). Default: one
   * pass of the Keyv iterator, decoding each record.
   */
  summaries?: () => Promise<AccountSummary[]>;
  /**
   * The key a name index of the backend gives for an account name (`undefined`: not known), for
   * `accountNamed`; the store reads that record and checks it carries the name. Default: none
   * (the store then has no `accountNamed`, and names resolve through `summaries`).
   */
  keyNamed?: (name: string) => Promise<string | undefined>;
  /** Polling interval of the default watch, in ms; 0 disables polling. Default 1000. */
  pollIntervalMs?: number;
  /**
   * Writes a record in place of `keyv.set`, given the codec's output (`encoded`) and the Keyv
   * TTL: a backend that keeps an index beside the records writes both in one transaction here.
   * It must store what `keyv.set` would (Keyv's `{value, expires}` form), so that reads through
   * Keyv see the record. Failures become StorageErrors. Default: `keyv.set`.
   */
  write?: (key: string, encoded: string, ttlMs: number | undefined, record: TokenRecord) => Promise<void>;
  /** Called after every successful set/delete (e.g. to notify other processes: Postgres NOTIFY). Failures are StorageErrors. */
  afterWrite?: (change: TokenStoreChange) => Promise<void>;
  /** Keyv TTL in ms for a record (e.g. expiry + grace), or undefined for none. Default: none. */
  ttlMs?: (record: TokenRecord) => number | undefined;
  /** Extra clean-up on close (connections, pollers); runs after the Keyv is disconnected. */
  onClose?: () => Promise<void>;
  /** Whether `close()` disconnects the Keyv. Default true. */
  disconnect?: boolean;
}

/**
 * Wraps any Keyv instance (Postgres, Mongo, SQLite, Redis, a Map...) as a `TokenStore`.
 *
 * Keyv swallows store errors by default and returns `undefined`, which a token manager would read
 * as "logged out"; this wrapper turns `throwOnErrors` on and maps every failure to a
 * `StorageError` naming the backend (fail closed). Values are the record codec's strings
 * (optionally sealed), so every backend stores the same bytes.
 */
export function keyvTokenStore(keyv: Keyv, options: KeyvTokenStoreOptions = {}): TokenStore {
  const name = options.name ?? 'keyv';
  const codec = createRecordCodec({ backend: name, ...(options.cipher ? { cipher: options.cipher } : {}) });
  keyv.throwOnErrors = true;
  const bus = localBus(keyv);
  const rawLease = options.lease ?? keyvLease(keyv, name);
  const pollMs = options.pollIntervalMs ?? 1000;
  let closed = false;
  const stops = new Set<Unsubscribe>();

  const fail = (operation: string, key: string | undefined, error: unknown): StorageError => {
    if (error instanceof StorageError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new StorageError(`${name} store: ${operation}${key ? ` of ${key}` : ''} failed: ${reason}`, {
      backend: name,
      cause: error,
      details: { backend: name, operation, ...(key ? { key } : {}) },
    });
  };
  const ensureOpen = (operation: string) => {
    if (closed) throw new StorageError(`${name} store: ${operation} after close()`, { backend: name });
  };
  const guard = async <T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> => {
    ensureOpen(operation);
    try {
      return await fn();
    } catch (error) {
      throw fail(operation, key, error);
    }
  };
  const lease: LeasePrimitives = {
    backend: name,
    tryAcquire: (key, owner, ttlMs) => guard('lock', key, () => rawLease.tryAcquire(key, owner, ttlMs)),
    release: (key, owner) => guard('unlock', key, () => rawLease.release(key, owner)),
  };
  const readRaw = async (key: string): Promise<string | undefined> => {
    const value: unknown = await keyv.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new StorageError(`${name} store: the value for ${key} is not a stored record`, {
        backend: name,
        code: ErrorCodes.STORAGE_CORRUPT,
        details: { backend: name, operation: 'get', key },
      });
    }
    return value;
  };
  /** Every stored record's raw value, by account key, from one pass of the iterator. */
  const readAll = async (): Promise<Map<string, string>> => {
    if (!keyv.iterator) throw new Error('this Keyv adapter cannot list keys (no iterator)');
    const out = new Map<string, string>();
    for await (const [key, value] of keyv.iterator(undefined)) {
      if (typeof key !== 'string' || !key.startsWith('upstox:')) continue;
      if (typeof value !== 'string') {
        throw new StorageError(`${name} store: the value for ${key} is not a stored record`, {
          backend: name,
          code: ErrorCodes.STORAGE_CORRUPT,
          details: { backend: name, operation: 'summaries', key },
        });
      }
      out.set(key, value);
    }
    return out;
  };
  const notify = async (change: TokenStoreChange) => {
    bus.publish(change);
    if (options.afterWrite) await options.afterWrite(change);
  };

  const keyNamed = options.keyNamed;
  const store: TokenStore = {
    name,
    get(key) {
      return guard('get', key, async () => {
        const raw = await readRaw(key);
        return raw === undefined ? undefined : codec.decode(key, raw);
      });
    },
    async set(key, record) {
      assertTokenRecord(record);
      return guard('set', key, async () => {
        const encoded = codec.encode(key, record);
        codec.checkOverwrite(key, await readRaw(key));
        const ttlMs = options.ttlMs?.(record);
        if (options.write) await options.write(key, encoded, ttlMs, record);
        else await keyv.set(key, encoded, ttlMs);
        await notify({ key, kind: 'set', record });
      });
    },
    delete(key) {
      return guard('delete', key, async () => {
        const removed = await keyv.delete(key);
        if (removed) await notify({ key, kind: 'delete' });
        return removed;
      });
    },
    list() {
      return guard('list', undefined, async () => {
        if (!keyv.iterator) throw new Error('this Keyv adapter cannot list keys (no iterator)');
        const keys: string[] = [];
        for await (const [key] of keyv.iterator(undefined)) {
          if (typeof key === 'string' && key.startsWith('upstox:')) keys.push(key);
        }
        return keys;
      });
    },
    ...(keyNamed
      ? {
          accountNamed(accountName: string) {
            return guard('get', undefined, async () => {
              const key = await keyNamed(accountName);
              if (key === undefined) return undefined;
              const raw = await readRaw(key);
              const record = raw === undefined ? undefined : codec.decode(key, raw);
              return record?.accountName === accountName ? { key, record } : undefined;
            });
          },
        }
      : {}),
    summaries() {
      return guard('summaries', undefined, async () => {
        if (options.summaries) return options.summaries();
        const out: AccountSummary[] = [];
        for (const [key, raw] of await readAll()) out.push(summarizeRecord(key, codec.decode(key, raw)));
        return out;
      });
    },
    async withLock(key, ttlMs, fn, lockOptions) {
      ensureOpen('lock');
      return withLease(lease, key, ttlMs, fn, lockOptions);
    },
    watch(key, onChange) {
      ensureOpen('watch');
      const unsubscribers: Unsubscribe[] = [bus.subscribe(key, onChange)];
      if (options.watch) unsubscribers.push(options.watch(key, onChange));
      else if (pollMs > 0) unsubscribers.push(pollRaw(key, pollMs, readRaw, onChange));
      const stop = () => {
        for (const u of unsubscribers) u();
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },
    watchAll(onChange) {
      ensureOpen('watch');
      const unsubscribers: Unsubscribe[] = [bus.subscribeAll(onChange)];
      if (options.watchAll) unsubscribers.push(options.watchAll(onChange));
      else if (pollMs > 0) unsubscribers.push(pollEvery(pollMs, readAll, onChange));
      const stop = () => {
        for (const u of unsubscribers) u();
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const stop of [...stops]) stop();
      // Run every clean-up step even when one fails, so nothing leaks; report the first failure.
      let failure: unknown;
      if (options.disconnect !== false)
        await keyv.disconnect().catch((error: unknown) => (failure ??= error));
      if (options.onClose) await options.onClose().catch((error: unknown) => (failure ??= error));
      if (failure !== undefined) throw fail('close', undefined, failure);
    },
  };
  return store;
}

/**
 * Runs `step` now and then every `intervalMs` (unref'd timers) until the returned function is
 * called. A failing step is retried at the next tick: an outage is reported by the next get/set.
 */
function repeat(intervalMs: number, step: () => Promise<void>): Unsubscribe {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      await step();
    } catch {
      // Keep the last view and retry.
    }
    if (!stopped) {
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    }
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** Polls every raw value and reports the keys whose value changed (the fallback of `watchAll`). */
function pollEvery(
  intervalMs: number,
  readAll: () => Promise<Map<string, string>>,
  onChange: (change: TokenStoreChange) => void,
): Unsubscribe {
  let last: Map<string, string> | undefined;
  return repeat(intervalMs, async () => {
    const now = await readAll();
    if (last) {
      for (const [key, raw] of now) if (last.get(key) !== raw) onChange({ key, kind: 'set' });
      for (const key of last.keys()) if (!now.has(key)) onChange({ key, kind: 'delete' });
    }
    last = now;
  });
}

/** Polls the raw value of `key` and reports when it changes (other processes' writes). */
function pollRaw(
  key: string,
  intervalMs: number,
  readRaw: (key: string) => Promise<string | undefined>,
  onChange: (change: TokenStoreChange) => void,
): Unsubscribe {
  let last: string | undefined | null = null;
  return repeat(intervalMs, async () => {
    const now = await readRaw(key);
    if (last !== null && now !== last) onChange({ key, kind: now === undefined ? 'delete' : 'set' });
    last = now;
  });
}
