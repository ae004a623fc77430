import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { kindOption } from './token.js';

interface LogoutOptions {
  local?: boolean;
  all?: boolean;
  kind?: string;
  json?: boolean;
}

/**
 * `hft logout`: revokes the token at Upstox (unless `--local`, or the token has already
 * expired), then deletes the local record even when the broker call failed. Upstox answering
 * that the token is already invalid (401 `UDAPI100050`: revoked or replaced) counts as done.
 * Exit 1 when the broker call failed (the local record is gone all the same), 0 otherwise,
 * including when there was nothing to log out.
 */
export async function run(ctx: CommandContext, options: LogoutOptions): Promise<number> {
  if (options.all && options.kind !== undefined) throw new UsageError('--all and --kind cannot be combined');
  const kinds = options.all ? ('all' as const) : [kindOption(options.kind)];
  const manager = await ctx.manager();
  await manager.load();
  const account = manager.accountKey;
  const info = manager.getTokenInfo();
  const expired = info !== undefined && info.remainingMs <= 0;
  const result = await manager.logout({ broker: !options.local, kinds });
  const broker = result.broker;
  const failed = broker === 'failed';
  if (options.json) {
    ctx.output.json({
      account: account ?? null,
      local_removed: result.localRemoved,
      removed_kinds: result.removedKinds,
      remaining_kinds: result.remainingKinds,
      broker,
      error: failed && result.error ? { code: result.error.code, message: result.error.message } : null,
    });
  } else if (!result.localRemoved && broker === 'skipped') {
    ctx.output.out(
      result.remainingKinds.length > 0
        ? `Nothing to log out: no ${kinds === 'all' ? '' : `${kinds.join(', ')} `}token stored (held: ${result.remainingKinds.join(', ')}).`
        : 'Nothing to log out: no token stored.',
    );
  } else {
    const outcome = {
      revoked: 'revoked at Upstox',
      'already-invalid': 'Upstox already treated it as invalid (revoked or replaced)',
      failed: 'NOT revoked at Upstox',
      skipped: options.local
        ? 'not sent to Upstox (--local)'
        : expired
          ? 'it had expired, so there was nothing to revoke at Upstox'
          : 'not sent to Upstox',
    }[broker];
    const removed = result.removedKinds.length > 0 ? result.removedKinds.join(', ') : 'no';
    ctx.output.out(`Logged out ${account ?? ''}: ${removed} token deleted locally, ${outcome}.`);
    if (result.remainingKinds.length > 0) {
      ctx.output.note(
        `Still stored: ${result.remainingKinds.join(', ')} (read-only APIs keep working; hft logout --all removes them).`,
      );
    }
  }
  if (failed) {
    ctx.output.note(`hft: Upstox logout failed: ${result.error?.message ?? 'unknown error'}`);
    ctx.output.note(
      'The local token is deleted, but Upstox may still accept it until it expires (03:30 IST).',
    );
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}
