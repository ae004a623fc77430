import { AuthError, ErrorCodes } from '@hft/errors';
import type { AccountSummary } from './account-summary.js';
import { parseAccountKey, type TokenRecord } from './token-record.js';
import type { TokenStore } from './token-store.js';

export type { AccountSummary } from './account-summary.js';

/**
 * Every account stored for `clientId` (all clients when omitted), sorted by key, from the
 * store's {@link TokenStore.summaries} (one round trip, no record read). @throws StorageError
 */
export async function listAccounts(store: TokenStore, clientId?: string): Promise<AccountSummary[]> {
  const all = await store.summaries();
  return all
    .filter((a) => clientId === undefined || a.clientId === clientId)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Resolves which stored account a manager serves.
 *
 * - `account` starting with `upstox:` is a key, used as is.
 * - any other `account` is a name: the stored account of `clientId` with that `accountName`, or
 *   else the one whose user id it is (when exactly one has it).
 * - no `account`: the only account stored for `clientId` (for any client when `clientId` is undefined).
 *
 * Resolves `undefined` when nothing matches (not logged in yet). Several accounts and no choice
 * is an error, never a guess: nothing may return one account's token for another.
 *
 * @throws AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`; StorageError
 */
export async function resolveAccountKey(
  store: TokenStore,
  clientId: string | undefined,
  account?: string,
): Promise<string | undefined> {
  return (await resolveAccount(store, clientId, account))?.key;
}

/**
 * Like {@link resolveAccountKey}, plus the record when resolving had to read it (so callers
 * need no second read: a hit in the store's name index brings it, a listing of summaries
 * does not). @throws AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`; StorageError
 */
export async function resolveAccount(
  store: TokenStore,
  clientId: string | undefined,
  account?: string,
): Promise<{ key: string; record?: TokenRecord } | undefined> {
  if (account?.startsWith('upstox:')) return { key: account };
  if (account !== undefined && store.accountNamed) {
    // The store's name index: a few small reads, and the record comes along.
    const hit = await store.accountNamed(account);
    if (hit && (clientId === undefined || hit.record.clientId === clientId)) return hit;
  }
  if (account === undefined) {
    // The usual start-up (one account, none named): the keys alone decide, without summaries.
    const keys = (await store.list()).filter((key) => {
      const parsed = parseAccountKey(key);
      return parsed !== undefined && (clientId === undefined || parsed.clientId === clientId);
    });
    if (keys.length <= 1) return keys[0] === undefined ? undefined : { key: keys[0] };
  }
  const accounts = await listAccounts(store, clientId);
  const pick = (summary: AccountSummary | undefined) => (summary ? { key: summary.key } : undefined);
  if (account !== undefined) {
    const named = accounts.find((a) => a.name === account);
    if (named) return pick(named);
    const byUser = accounts.filter((a) => a.userId === account);
    if (byUser.length > 1) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_AMBIGUOUS,
        `${byUser.length} stored accounts have user id ${account} (${namesOf(byUser)}); choose one by name or key`,
      );
    }
    return pick(byUser[0]);
  }
  if (accounts.length <= 1) return pick(accounts[0]);
  throw new AuthError(
    ErrorCodes.AUTH_ACCOUNT_AMBIGUOUS,
    `${accounts.length} accounts are stored${clientId === undefined ? '' : ` for client ${clientId}`} (${namesOf(accounts)}); choose one by name (--account NAME) or key`,
  );
}

const LISTED = 5;

/**
 * How accounts are named in a message: at most five, then how many more (a message never lists
 * unbounded data). Each by its name, else its user id.
 */
export function namesOf(accounts: readonly AccountSummary[]): string {
  const shown = accounts.slice(0, LISTED).map((a) => a.name ?? a.userId);
  const more = accounts.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more; see hft accounts` : shown.join(', ');
}
