// The one rule every writer of a daily token follows (login, webhook delivery, import,
// reacquire): a stored token is only replaced by one issued later, decided under the store's
// lock so that two writers racing each other cannot both win.
import type { TokenRecord } from './token-record.js';
import type { TokenStore } from './token-store.js';

/** Outcome of {@link writeIfNewer}. */
export type WriteIfNewerResult =
  /** `record` is stored now (`written`), or the very same token was stored already (`same`). */
  | { outcome: 'written' | 'same'; stored: TokenRecord }
  /** A token issued at the same time or later is stored; `record` was not written. */
  | { outcome: 'stale'; stored: TokenRecord };

/** Options of {@link writeIfNewer}. */
export interface WriteIfNewerOptions {
  /**
   * Builds what is written from the new record and the stored one (for example to keep the
   * stored extended token or account name). Default: the new record as is.
   */
  merge?: (incoming: TokenRecord, existing: TokenRecord | undefined) => TokenRecord;
  /** Lease of the write lock in ms. Default 10 000. */
  lockTtlMs?: number;
}

/**
 * Whether `incoming` must be refused because `existing` holds a different token issued at the
 * same instant or later: the one comparison of the newer-wins rule (a cheap early answer may use
 * it; the decision is {@link writeIfNewer}'s, under the lock).
 */
export function isStale(
  existing: TokenRecord | undefined,
  incoming: TokenRecord | { accessToken: string; issuedAt: number },
): boolean {
  return (
    existing !== undefined &&
    existing.accessToken !== incoming.accessToken &&
    existing.issuedAt >= incoming.issuedAt
  );
}

/** The lock taken around the compare-and-write of one account's record. */
export function writeLockKey(key: string): string {
  return `${key}#write`;
}

/**
 * Stores `record` under its account key unless the stored record holds a different token
 * issued at the same instant or later. Runs under the store's lock on `writeLockKey(key)` (a
 * lock of its own, so callers may already hold the account's reacquire lock).
 * @throws StorageError (read, write or lock); whatever `merge` throws.
 */
export async function writeIfNewer(
  store: TokenStore,
  record: TokenRecord,
  options: WriteIfNewerOptions = {},
): Promise<WriteIfNewerResult> {
  const key = record.accountKey;
  return store.withLock(writeLockKey(key), options.lockTtlMs ?? 10_000, async () => {
    const existing = await store.get(key);
    if (existing !== undefined && isStale(existing, record)) return { outcome: 'stale', stored: existing };
    const toStore = options.merge ? options.merge(record, existing) : record;
    if (existing !== undefined && existing.accessToken === toStore.accessToken) {
      if (JSON.stringify(existing) === JSON.stringify(toStore)) return { outcome: 'same', stored: existing };
    }
    await store.set(key, toStore);
    return { outcome: 'written', stored: toStore };
  });
}
