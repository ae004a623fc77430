import { listAccounts } from '@hft/auth-core/store';
import { saveDefaultAccount } from '@hft/config';
import { accountFromEnv, findAccount, unknownAccount } from '../account-choice.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

/**
 * `hft accounts use NAME`: makes a stored account (by name, user id or key) the default of this
 * HFT_HOME, kept as `account` in `$HFT_HOME/config.json`; `--clear` removes the default.
 */
export async function run(
  ctx: CommandContext,
  options: { clear?: boolean },
  args: string[],
): Promise<number> {
  const [wanted] = args;
  const { config } = await ctx.config();
  if (options.clear) {
    if (wanted !== undefined) throw new UsageError('Give either an account or --clear, not both');
    const path = await saveDefaultAccount(config.home, undefined);
    ctx.output.out(`No default account now (${path}).`);
    return 0;
  }
  if (wanted === undefined)
    throw new UsageError('Name the account: hft accounts use NAME (see hft accounts)');
  const accounts = await listAccounts(await ctx.store(), config.credentials.clientId);
  const account = findAccount(accounts, wanted);
  if (!account) {
    if (accounts.length > 0) throw unknownAccount(accounts, wanted);
    throw new UsageError(`No accounts are stored yet; log in first: hft login --account ${wanted}`);
  }
  const value = account.name ?? account.key;
  const path = await saveDefaultAccount(config.home, value);
  ctx.output.out(`Default account: ${value} (${account.key}); saved in ${path}.`);
  if (accountFromEnv(ctx))
    ctx.output.note('note: HFT_ACCOUNT is set in this environment and still wins over the default.');
  return 0;
}
