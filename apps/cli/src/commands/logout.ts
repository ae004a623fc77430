import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

interface LogoutOptions {
  local?: boolean;
  json?: boolean;
}

/**
 * `hft logout`: revokes the token at Upstox (unless `--local`), then deletes the local record
 * even when the broker call failed. Exit 1 when the broker call failed (the local record is
 * gone all the same), 0 otherwise, including when there was nothing to log out.
 */
export async function run(ctx: CommandContext, options: LogoutOptions): Promise<number> {
  const manager = await ctx.manager();
  await manager.load();
  const account = manager.accountKey;
  const result = await manager.logout({ broker: !options.local });
  if (options.json) {
    ctx.output.json({
      account: account ?? null,
      local_removed: result.localRemoved,
      broker: result.broker,
      error: result.error ? { code: result.error.code, message: result.error.message } : null,
    });
  } else if (!result.localRemoved && result.broker === 'skipped') {
    ctx.output.out('Nothing to log out: no token stored.');
  } else {
    const broker =
      result.broker === 'revoked'
        ? 'revoked at Upstox'
        : result.broker === 'failed'
          ? 'NOT revoked at Upstox'
          : 'not sent to Upstox';
    ctx.output.out(`Logged out ${account ?? ''}: local token deleted, ${broker}.`);
  }
  if (result.broker === 'failed') {
    ctx.output.note(`hft: Upstox logout failed: ${result.error?.message ?? 'unknown error'}`);
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}
