import { AuthError, ErrorCodes } from '@hft/errors';
import { kindsOf, parseAccountKey, type TokenKind, type TokenRecord } from './token-record.js';
import type { TokenStore } from './token-store.js';

/** One stored account, as listed by {@link listAccounts}. */
export interface AccountSummary {
  key: string;
  name?: string;
  clientId: string;
  userId: string;
  userName?: string;
  /** When the daily token expires; absent when the account holds no daily token. */
  expiresAt?: number;
  /** The token kinds held. */
  kinds: TokenKind[];
}

/** The summary of `record` stored under `key` (no secret in it). */
export function accountSummary(key: string, record: TokenRecord): AccountSummary {
  const summary: AccountSummary = {
    key,
    clientId: record.clientId,
    userId: record.userId,
    kinds: kindsOf(record),
  };
  if (record.tokens.daily) summary.expiresAt = record.tokens.daily.expiresAt;
  if (record.accountName !== undefined) summary.name = record.accountName;
  if (record.userName !== undefined) summary.userName = record.userName;
  return summary;
}

/**
 * Every account stored for `clientId` (all clients when omitted), sorted by key. Reads each
 * record once. @throws StorageError
 */
export async function listAccounts(store: TokenStore, clientId?: string): Promise<AccountSummary[]> {
  return (await readAccounts(store, clientId)).map(({ summary }) => summary);
}

async function readAccounts(
  store: TokenStore,
  clientId?: string,
): Promise<Array<{ summary: AccountSummary; record: TokenRecord }>> {
  const keys = (await store.list()).filter((k) => {
    const parsed = parseAccountKey(k);
    return parsed !== undefined && (clientId === undefined || parsed.clientId === clientId);
  });
  const out: Array<{ summary: AccountSummary; record: TokenRecord }> = [];
  for (const key of keys.sort()) {
    const r = await store.get(key);
    if (!r) continue;
    out.push({ summary: accountSummary(key, r), record: r });
  }
  return out;
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
 * need no second read). @throws AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`; StorageError
 */
export async function resolveAccount(
  store: TokenStore,
  clientId: string | undefined,
  account?: string,
): Promise<{ key: string; record?: TokenRecord } | undefined> {
  if (account?.startsWith('upstox:')) return { key: account };
  const found = await readAccounts(store, clientId);
  const pick = (entry: { summary: AccountSummary; record: TokenRecord } | undefined) =>
    entry ? { key: entry.summary.key, record: entry.record } : undefined;
  if (account !== undefined) {
    const named = found.find((a) => a.summary.name === account);
    if (named) return pick(named);
    const byUser = found.filter((a) => a.summary.userId === account);
    if (byUser.length > 1) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_AMBIGUOUS,
        `${byUser.length} stored accounts have user id ${account} (${namesOf(byUser.map((a) => a.summary))}); choose one by name or key`,
      );
    }
    return pick(byUser[0]);
  }
  const accounts = found.map((a) => a.summary);
  if (accounts.length <= 1) return pick(found[0]);
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
