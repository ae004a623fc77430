import { isTokenKind, TOKEN_KINDS, type TokenKind } from '@hft/auth-core/store';
import { AuthError, ErrorCodes } from '@hft/errors';
import { toIstIso } from '@hft/time/core';
import type { CommandContext } from '../context.js';
import { currentRecord, notAuthenticated } from '../current-record.js';
import { UsageError } from '../exit-codes.js';

/** The `--kind` of a command: one of the token kinds, default `daily`. */
export function kindOption(value: string | undefined, flag = '--kind'): TokenKind {
  if (value === undefined) return 'daily';
  if (!isTokenKind(value))
    throw new UsageError(`${flag} must be one of ${TOKEN_KINDS.join(', ')} (got "${value}")`);
  return value;
}

/**
 * `hft token [--kind K]`: only the token of that kind (default `daily`) and a newline on stdout,
 * for `$(hft token)`. Exit 3 when the account holds no valid token of that kind. It runs on the
 * fast start-up path (see hft.cts), so it reads the record only: no HTTP stack, no manager.
 */
export async function run(ctx: CommandContext, options: { kind?: string } = {}): Promise<number> {
  const kind = kindOption(options.kind);
  const record = await currentRecord(ctx);
  if (!record) throw notAuthenticated(ctx.options.account);
  const held = record.tokens[kind];
  const fix = kind === 'daily' ? 'run: hft login' : `run: hft token import --kind ${kind}`;
  if (!held) {
    const others = TOKEN_KINDS.filter((k) => record.tokens[k] !== undefined);
    throw new AuthError(
      ErrorCodes.AUTH_NOT_AUTHENTICATED,
      `No ${kind} token is stored for ${record.accountKey} (it holds: ${others.join(', ')}); ${fix}`,
    );
  }
  if ((await ctx.clock()).now() >= held.expiresAt) {
    const label = kind === 'daily' ? 'token' : `${kind} token`;
    throw new AuthError(
      ErrorCodes.AUTH_EXPIRED,
      `The ${label} of ${record.accountKey} expired at ${toIstIso(held.expiresAt)}; ${fix}`,
    );
  }
  ctx.output.out(held.token);
  return 0;
}
