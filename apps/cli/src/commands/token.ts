import { isTokenKind, TOKEN_KINDS, type TokenKind, whyUnusable } from '@hft/auth-core/store';
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

/** The CLI's advice for a kind that has no usable token. */
function fixOf(kind: TokenKind): string {
  return kind === 'daily' ? 'run: hft login' : `run: hft token import --kind ${kind}`;
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
  // The record only, no manager: nothing here knows of a rejection by Upstox.
  const problem = whyUnusable(record, kind, (await ctx.clock()).now(), 0, () => false, fixOf);
  if (problem) throw problem;
  ctx.output.out(record.tokens[kind]!.token);
  return 0;
}
