import { AuthError, ErrorCodes } from '@hft/errors';
import { parseAccountKey } from './token-record.js';
import type { TokenStore } from './token-store.js';

/** One stored account, as listed by {@link listAccounts}. */
export interface AccountSummary {
  key: string;
  name?: string;
  clientId: string;
  userId: string;
  userName?: string;
  expiresAt: number;
}

/**
 * Every account stored for `clientId` (all clients when omitted), sorted by key. Reads each
 * record once. @throws StorageError
 */
export async function listAccounts(store: TokenStore, clientId?: string): Promise<AccountSummary[]> {
  const keys = (await store.list()).filter((k) => {
    const parsed = parseAccountKey(k);
    return parsed !== undefined && (clientId === undefined || parsed.clientId === clientId);
  });
  const out: AccountSummary[] = [];
  for (const key of keys.sort()) {
    const r = await store.get(key);
    if (!r) continue;
    const summary: AccountSummary = { key, clientId: r.clientId, userId: r.userId, expiresAt: r.expiresAt };
    if (r.accountName !== undefined) summary.name = r.accountName;
    if (r.userName !== undefined) summary.userName = r.userName;
    out.push(summary);
  }
  return out;
}

/**
 * Resolves which stored account a manager serves.
 *
 * - `account` starting with `upstox:` is a key, used as is.
 * - any other `account` is a name: the stored account of `clientId` with that `accountName`.
 * - no `account`: the only account stored for `clientId`.
 *
 * Resolves `undefined` when nothing matches (not logged in yet). Several accounts and no choice
 * is an error, never a guess: nothing may return one account's token for another.
 *
 * @throws AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`; StorageError
 */
export async function resolveAccountKey(
  store: TokenStore,
  clientId: string,
  account?: string,
): Promise<string | undefined> {
  if (account?.startsWith('upstox:')) return account;
  const accounts = await listAccounts(store, clientId);
  if (account !== undefined) return accounts.find((a) => a.name === account)?.key;
  if (accounts.length <= 1) return accounts[0]?.key;
  throw new AuthError(
    ErrorCodes.AUTH_ACCOUNT_AMBIGUOUS,
    `${accounts.length} accounts are stored for client ${clientId} (${accounts
      .map((a) => a.name ?? a.userId)
      .join(', ')}); choose one by name (--account NAME) or key`,
  );
}
