import { isHftError } from '@hft/errors';
import { CommandContext, type ContextSettings } from './context.js';
import { ExitCode, exitCodeFor, ReportedFailure, WithExitCode } from './exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import { hintFor } from './hints.js';

/**
 * Runs one command: creates its context, turns its result or error into the exit code (the one
 * place where that happens), prints errors on stderr (causes only with --verbose, never a
 * stack otherwise), and closes what the command opened.
 */
export async function runCommand(
  options: GlobalOptions,
  command: (ctx: CommandContext) => Promise<number | undefined>,
  settings: ContextSettings = {},
): Promise<void> {
  const ctx = new CommandContext(options, process.env, undefined, settings);
  let code: number = ExitCode.OK;
  try {
    code = (await command(ctx)) ?? ExitCode.OK;
  } catch (thrown) {
    const error = thrown instanceof WithExitCode ? thrown.error : thrown;
    if (error instanceof ReportedFailure) code = error.exitCode;
    else {
      code = thrown instanceof WithExitCode ? thrown.exitCode : exitCodeFor(error);
      ctx.output.note(`hft: ${describe(error)}`);
      const hint = hintFor(error);
      if (hint) ctx.output.note(`hint: ${hint}`);
      if (options.verbose) for (const line of causes(error)) ctx.output.note(line);
      else if (isHftError(error) && error.cause !== undefined)
        ctx.output.note('(run with --verbose for the cause)');
      await logFailure(ctx, error);
    }
  } finally {
    await ctx.close();
  }
  process.exitCode = code;
}

function describe(error: unknown): string {
  if (error instanceof Error) return isHftError(error) ? `${error.message} [${error.code}]` : error.message;
  return String(error);
}

function causes(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error instanceof Error ? error.cause : undefined;
  let depth = 0;
  while (current !== undefined && depth < 5) {
    lines.push(
      `  caused by: ${current instanceof Error ? `${current.name}: ${current.message}` : String(current)}`,
    );
    current = current instanceof Error ? current.cause : undefined;
    depth += 1;
  }
  if (error instanceof Error && error.stack) lines.push(error.stack);
  return lines;
}

async function logFailure(ctx: CommandContext, error: unknown): Promise<void> {
  try {
    const logger = await ctx.logger();
    logger.error('command failed', { error });
  } catch {
    // Without a usable config there is no log file; the message is already on stderr.
  }
}
