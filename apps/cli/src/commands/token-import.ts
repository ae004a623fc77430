import { parseAccountKey } from '@hft/auth-core/store';
import { AuthError, ErrorCodes, InputError, isHftError } from '@hft/errors';
import { toIstIso } from '@hft/time/core';
import { findAccount } from '../account-choice.js';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError, WithExitCode } from '../exit-codes.js';
import { kindOption } from './token.js';

interface ImportOptions {
  kind?: string;
  /** commander's `--no-verify` */
  verify?: boolean;
  json?: boolean;
}

/** The token from standard input: everything up to EOF, or one line from a terminal. */
async function readToken(ctx: CommandContext): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    ctx.output.note(
      'Paste the token and press Enter (it is read from standard input, never from the command line):',
    );
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: stdin, terminal: false });
    try {
      return await new Promise<string>((resolve) => {
        rl.once('line', resolve);
        rl.once('close', () => resolve(''));
      });
    } finally {
      rl.close();
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    size += (chunk as Buffer).length;
    // A token is about a kilobyte: anything this large is not one (and is not kept in memory).
    if (size > 64 * 1024)
      throw new InputError('standard input is not a token (more than 64 KiB)', {
        details: { argument: 'token' },
      });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The user id the token must belong to, from `--account` (a key, a stored account, or a user id). */
async function expectedUser(ctx: CommandContext): Promise<string | undefined> {
  const { config } = await ctx.config();
  const wanted = config.account;
  if (wanted === undefined) return undefined;
  const key = parseAccountKey(wanted);
  if (key) {
    if (key.clientId !== config.credentials.clientId) {
      throw new UsageError(
        `--account ${wanted} belongs to client ${key.clientId}, not the configured ${config.credentials.clientId}`,
      );
    }
    return key.userId;
  }
  const { listAccounts } = await import('@hft/auth-core/store');
  const known = findAccount(await listAccounts(await ctx.store(), config.credentials.clientId), wanted);
  return known?.userId ?? wanted;
}

/** Whether `error` says the token itself is bad (the check failed): exit 1, not "log in" (3). */
function refusedToken(error: unknown): boolean {
  if (error instanceof InputError) return error.details.argument === 'token';
  return (
    error instanceof AuthError &&
    (error.code === ErrorCodes.AUTH_INVALIDATED || error.code === ErrorCodes.AUTH_WRONG_TOKEN_KIND)
  );
}

/**
 * `hft token import --kind K`: stores a token made elsewhere (My Apps' "Generate", the Analytics
 * tab, a sandbox app) after checking it with a call its kind may make (`--no-verify` skips the
 * call, e.g. offline). The token comes from standard input, never from argv. A token that fails
 * a check: exit 1, nothing stored, the token never echoed.
 */
export async function run(ctx: CommandContext, options: ImportOptions): Promise<number> {
  if (options.kind === undefined)
    throw new UsageError('--kind is required: daily, extended, analytics or sandbox');
  const kind = kindOption(options.kind);
  const verify = options.verify !== false;
  const userId = await expectedUser(ctx);
  const token = await readToken(ctx);
  const [manager, { IMPORT_CHECKS }] = await Promise.all([ctx.manager(), import('@hft/auth-core')]);
  let imported: Awaited<ReturnType<typeof manager.importToken>>;
  try {
    imported = await manager.importToken(kind, token, {
      verify,
      ...(userId === undefined ? {} : { userId }),
    });
  } catch (error) {
    if (refusedToken(error)) throw new WithExitCode(error, ExitCode.FAILURE);
    if (isHftError(error) && error.code === ErrorCodes.AUTH_STALE_TOKEN)
      throw new WithExitCode(error, ExitCode.FAILURE);
    throw error;
  }
  const { record, verified } = imported;
  const held = record.tokens[kind]!;
  if (options.json) {
    ctx.output.json({
      account: record.accountKey,
      user_id: record.userId,
      kind,
      source: held.source,
      issued_at: toIstIso(held.issuedAt),
      expires_at: toIstIso(held.expiresAt),
      verified,
    });
  } else {
    ctx.output.out(
      `Stored the ${kind} token of ${record.userId} (${record.accountKey}), valid until ${toIstIso(held.expiresAt)}.`,
    );
    ctx.output.note(
      verified ? `Checked with Upstox: ${IMPORT_CHECKS[kind]}.` : 'Not checked with Upstox (--no-verify).',
    );
  }
  return ExitCode.OK;
}
