// How a credential set changes: a new token joins the kinds already held, and a logout takes
// kinds away. Both keep the newer-wins write's lock, so they never race a login.
import type { TokenKind, TokenRecord } from './token-record.js';
import { kindsOf, withVersion } from './token-record.js';
import type { TokenStore } from './token-store.js';
import { writeLockKey } from './write-if-newer.js';

/**
 * What is written when `incoming` arrives for an account that holds `existing`: the incoming
 * profile and tokens, plus every kind `existing` holds that `incoming` does not (an exchange
 * without an extended token keeps the stored one; a new daily token keeps the analytics one),
 * and the account name (`incoming`'s, else `name`, else the stored one).
 */
export function mergeCredentials(
  incoming: TokenRecord,
  existing: TokenRecord | undefined,
  name: string | undefined,
): TokenRecord {
  const merged: TokenRecord = { ...incoming, tokens: { ...existing?.tokens, ...incoming.tokens } };
  const keptName = incoming.accountName ?? name ?? existing?.accountName;
  if (keptName !== undefined) merged.accountName = keptName;
  if (existing) {
    // A token imported without a profile call has empty lists: keep the profile already known.
    for (const field of ['exchanges', 'products', 'orderTypes'] as const) {
      if (merged[field].length === 0 && existing[field].length > 0) merged[field] = [...existing[field]];
    }
    for (const field of ['userName', 'email', 'broker', 'userType'] as const) {
      if (merged[field] === undefined && existing[field] !== undefined) merged[field] = existing[field];
    }
  }
  return withVersion(merged);
}

/** Outcome of {@link removeKinds}. */
export interface RemovedKinds {
  /** The kinds that were stored and are gone. */
  removed: TokenKind[];
  /** The record left (other kinds), or `undefined` when the record itself was deleted (or absent). */
  remaining: TokenRecord | undefined;
}

/**
 * Removes `kinds` from the record stored under `key`, under the write lock; deletes the record
 * when no kind is left. @throws StorageError.
 */
export async function removeKinds(
  store: TokenStore,
  key: string,
  kinds: readonly TokenKind[],
  lockTtlMs = 10_000,
): Promise<RemovedKinds> {
  return store.withLock(writeLockKey(key), lockTtlMs, async () => {
    const existing = await store.get(key);
    if (!existing) return { removed: [], remaining: undefined };
    const removed = kindsOf(existing).filter((kind) => kinds.includes(kind));
    if (removed.length === 0) return { removed, remaining: existing };
    const tokens = { ...existing.tokens };
    for (const kind of removed) delete tokens[kind];
    if (Object.keys(tokens).length === 0) {
      await store.delete(key);
      return { removed, remaining: undefined };
    }
    const remaining = withVersion({ ...existing, tokens });
    await store.set(key, remaining);
    return { removed, remaining };
  });
}
