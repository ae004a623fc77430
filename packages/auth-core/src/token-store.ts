import type { AccountSummary } from './account-summary.js';
import type { RateLimitBackend } from './rate-limit-backend.js';
import type { TokenRecord } from './token-record.js';

/** What changed in a store, as seen by a {@link TokenStore.watch} subscriber. */
export interface TokenStoreChange {
  /** The account key that changed. */
  key: string;
  /** `set` for a new or replaced record, `delete` when it was removed. */
  kind: 'set' | 'delete';
  /**
   * The new record, when the backend delivers it with the notification. When absent, call
   * `get(key)` to read it.
   */
  record?: TokenRecord;
}

/** Stops a watch subscription. */
export type Unsubscribe = () => void;

/** Options for {@link TokenStore.withLock}. */
export interface WithLockOptions {
  /** How long to wait for the lock before failing with `HFT_STORAGE_LOCK_TIMEOUT`. Default: 2 x `ttlMs`. */
  waitMs?: number;
}

/**
 * The contract every token store implements (memory, file, sqlite, redis, any keyv).
 *
 * - A missing key is `undefined`; a backend failure is a `StorageError` with the cause, never
 *   `undefined` (fail closed: an outage must not look like "logged out").
 * - Stores keep `expiresAt` as data; whether a token is still valid is decided by auth-core
 *   with its injected clock, never by the store.
 * - Records round-trip exactly, including `extra`.
 */
export interface TokenStore {
  /** Backend name used in every error message (`memory`, `file`, `sqlite`, `redis`, `keyv`). */
  readonly name: string;
  /** The record for `key`, or `undefined` when there is none. Throws `StorageError`. */
  get(key: string): Promise<TokenRecord | undefined>;
  /** Stores `record` under `key`, replacing any previous one, atomically. Throws `StorageError`. */
  set(key: string, record: TokenRecord): Promise<void>;
  /** Removes `key`; `true` when something was removed. Throws `StorageError`. */
  delete(key: string): Promise<boolean>;
  /** Every stored account key. Throws `StorageError`. */
  list(): Promise<string[]>;
  /**
   * A summary (key, names, user id, expiry; no secret) of every stored account, in one round
   * trip to the backend where it has one (a `SELECT`, a Redis index, one directory read), never
   * one read per account. Complete: an account written by an older version of the store (with no
   * index entry) is listed too, and its entry repaired. Order unspecified. Throws `StorageError`.
   */
  summaries(): Promise<AccountSummary[]>;
  /**
   * Optional: the account whose name is `name`, through a name index the backend keeps (a few
   * small reads, whatever the number of accounts), with its record. The record always carries
   * that name (a stale index entry is checked against it); `undefined` means "the index does not
   * know it", and callers then look in {@link summaries} (which also lists what older versions
   * wrote). Throws `StorageError`.
   */
  accountNamed?(name: string): Promise<{ key: string; record: TokenRecord } | undefined>;
  /**
   * Runs `fn` while holding a cross-process lock on `key`, so that concurrent callers (in this
   * process or others) run one at a time. The lock is a lease of `ttlMs` milliseconds: a holder
   * that crashed (or runs longer than its lease) loses it after `ttlMs`, so a dead process never
   * blocks the others for good. Throws `StorageError` (`HFT_STORAGE_LOCK_TIMEOUT`) when the lock
   * cannot be taken within `options.waitMs`; errors thrown by `fn` pass through unchanged.
   */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: WithLockOptions): Promise<T>;
  /**
   * Calls `onChange` when the record under `key` is set or deleted by any store instance over
   * the same backend, including other processes. May also fire for changes made through this
   * instance, and may coalesce bursts; subscribers re-read when `record` is absent.
   */
  watch(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /**
   * Like {@link watch}, for every account of the store at once, including accounts stored
   * later: one subscription whose changes name their `key`. Cheap while nothing changes (no
   * polling of every record).
   */
  watchAll(onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Releases connections, watchers and timers. Further calls fail with `StorageError`. */
  close(): Promise<void>;
  /**
   * Optional: counters shared by every process on this backend, so that the API client's rate
   * limits hold per user across processes (see `createUpstoxClient`). Absent: per-process limits.
   */
  readonly rateLimits?: RateLimitBackend;
}
