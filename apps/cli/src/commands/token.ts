import { AuthError, ErrorCodes } from '@hft/errors';
import { systemClock } from '@hft/time/core';
import type { CommandContext } from '../context.js';
import { currentRecord, notAuthenticated } from '../current-record.js';

/** `hft token`: only the access token and a newline on stdout, for `$(hft token)`. */
export async function run(ctx: CommandContext): Promise<number> {
  const record = await currentRecord(ctx);
  if (!record) throw notAuthenticated(ctx.options.account);
  if (systemClock.now() >= record.expiresAt) {
    throw new AuthError(ErrorCodes.AUTH_EXPIRED, `The token of ${record.accountKey} expired; run: hft login`);
  }
  ctx.output.out(record.accessToken);
  return 0;
}
