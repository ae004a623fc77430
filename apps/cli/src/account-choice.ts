// Which accounts a command acts on: the one chosen (--account, HFT_ACCOUNT, or the default set
// with `hft accounts use`), or, for commands that can show several, all of them when none was
// chosen. Also the usage error for a name that matches no stored account.
import { type AccountSummary, listAccounts, namesOf } from '@hft/auth-core/store';
import type { CommandContext } from './context.js';
import { UsageError } from './exit-codes.js';

/** Whether `HFT_ACCOUNT` chooses an account in this environment. */
export function accountFromEnv(ctx: CommandContext): boolean {
  return (ctx.env.HFT_ACCOUNT ?? '') !== '';
}

/** Whether the command line or the environment chose an account (the default account is not a choice). */
export function accountChosen(ctx: CommandContext): boolean {
  return ctx.options.account !== undefined || accountFromEnv(ctx);
}

/**
 * The stored account that `wanted` (a name, user id or key) names, from `accounts` already
 * listed; `undefined` when none does.
 */
export function findAccount(accounts: readonly AccountSummary[], wanted: string): AccountSummary | undefined {
  return accounts.find((a) => a.key === wanted || a.name === wanted || a.userId === wanted);
}

/** The usage error for a name that matches none of `accounts` (up to five named). */
export function unknownAccount(accounts: readonly AccountSummary[], wanted: string): UsageError {
  return new UsageError(
    `No stored account is named ${wanted}. Known: ${namesOf(accounts)}. Use --account NAME, a user id or a key.`,
  );
}

/**
 * When an account was asked for by name and nothing is stored under that name or user id while
 * other accounts are stored: a usage error (exit 2) naming up to five known accounts, so that a
 * typo does not send the user to log in again. Resolves when the name is unknown because
 * nothing is stored at all (that is "not logged in").
 * @throws UsageError; StorageError
 */
export async function assertKnownAccount(ctx: CommandContext, account: string | undefined): Promise<void> {
  if (account === undefined || account.startsWith('upstox:')) return;
  const { config } = await ctx.config();
  const accounts = await listAccounts(await ctx.store(), config.credentials.clientId);
  if (accounts.length === 0 || findAccount(accounts, account)) return;
  throw unknownAccount(accounts, account);
}

/**
 * The accounts `hft status` shows: `undefined` for the usual one-account view (an account was
 * chosen, or at most one is stored), else every stored account with the default one marked.
 */
export async function accountsToShow(
  ctx: CommandContext,
): Promise<Array<AccountSummary & { isDefault: boolean }> | undefined> {
  if (accountChosen(ctx)) return undefined;
  const { config } = await ctx.config();
  const accounts = await listAccounts(await ctx.store(), config.credentials.clientId);
  if (accounts.length <= 1) return undefined;
  const chosen = config.account;
  return accounts.map((a) => ({
    ...a,
    isDefault: chosen !== undefined && findAccount([a], chosen) !== undefined,
  }));
}
