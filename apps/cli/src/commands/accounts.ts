import { listAccounts } from '@hft/auth-core/store';
import { formatIst, systemClock, toIstIso } from '@hft/time';
import type { CommandContext } from '../context.js';

/** `hft accounts`: every stored account; `*` marks the one commands use by default. */
export async function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const { config } = await ctx.config();
  const store = await ctx.store();
  const accounts = await listAccounts(store, config.credentials.clientId);
  const now = systemClock.now();
  const isDefault = (a: (typeof accounts)[number]) =>
    config.account !== undefined
      ? a.key === config.account || a.name === config.account
      : accounts.length === 1;
  if (options.json) {
    ctx.output.json(
      accounts.map((a) => ({
        key: a.key,
        name: a.name ?? null,
        user_id: a.userId,
        user_name: a.userName ?? null,
        expires_at: a.expiresAt === undefined ? null : toIstIso(a.expiresAt),
        valid: a.expiresAt !== undefined && a.expiresAt > now,
        kinds: a.kinds,
        default: isDefault(a),
      })),
    );
    return 0;
  }
  if (accounts.length === 0) {
    ctx.output.out('No accounts stored. Run: hft login');
    return 0;
  }
  for (const a of accounts) {
    const mark = isDefault(a) ? '*' : ' ';
    const others = a.kinds.filter((kind) => kind !== 'daily');
    const held = others.length > 0 ? ` (+${others.join(', ')})` : '';
    const state =
      a.expiresAt === undefined
        ? `no daily token${held}`
        : `${a.expiresAt > now ? `valid until ${formatIst(a.expiresAt)}` : 'expired'}${held}`;
    ctx.output.out(`${mark} ${a.name ?? '-'}  ${a.key}  ${a.userName ?? ''}  ${state}`);
  }
  if (accounts.length > 1 && config.account === undefined) {
    ctx.output.note('Several accounts: choose one with --account NAME or HFT_ACCOUNT.');
  }
  return 0;
}
