// The one rule every writer of a token follows (login, webhook delivery, import,
// reacquire): a stored token is only replaced by one issued later, decided under the store's
// lock so that two writers racing each other cannot both win.
import { type KindToken, type TokenKind, type TokenRecord, withVersion } from './token-record.js';
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
  /**
   * The kinds of `record` that are new and must each be newer than the stored token of that kind.
   * Default: `daily` when `record` holds one, else every kind it holds.
   */
  kinds?: readonly TokenKind[];
  /** Lease of the write lock in ms. Default 10 000. */
  lockTtlMs?: number;
}

/**
 * Whether `incoming` (a token of `kind`, default `daily`) must be refused because `existing`
 * holds a different token of that kind issued at the same instant or later: the one comparison
 * of the newer-wins rule (a cheap early answer may use it; the decision is
 * {@link writeIfNewer}'s, under the lock).
 */
export function isStale(
  existing: TokenRecord | undefined,
  incoming: Pick<KindToken, 'token' | 'issuedAt'>,
  kind: TokenKind = 'daily',
): boolean {
  const stored = existing?.tokens[kind];
  return stored !== undefined && stored.token !== incoming.token && stored.issuedAt >= incoming.issuedAt;
}

/** The lock taken around the compare-and-write of one account's record. */
export function writeLockKey(key: string): string {
  return `${key}#write`;
}

function newKinds(record: TokenRecord, kinds: readonly TokenKind[] | undefined): readonly TokenKind[] {
  if (kinds) return kinds;
  if (record.tokens.daily) return ['daily'];
  return Object.keys(record.tokens) as TokenKind[];
}

/**
 * Stores `record` under its account key unless, for one of its new kinds (see
 * {@link WriteIfNewerOptions.kinds}), the stored record holds a different token of that kind
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
  const kinds = newKinds(record, options.kinds);
  return store.withLock(writeLockKey(key), options.lockTtlMs ?? 10_000, async () => {
    const existing = await store.get(key);
    for (const kind of kinds) {
      const incoming = record.tokens[kind];
      if (incoming && isStale(existing, incoming, kind)) return { outcome: 'stale', stored: existing! };
    }
    const toStore = withVersion(options.merge ? options.merge(record, existing) : record);
    if (existing !== undefined && JSON.stringify(existing) === JSON.stringify(toStore)) {
      return { outcome: 'same', stored: existing };
    }
    await store.set(key, toStore);
    return { outcome: 'written', stored: toStore };
  });
}
