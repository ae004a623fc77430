import { runStatusJson } from './commands/status-report.js';
import { run as runToken } from './commands/token.js';
import type { FastCommand } from './fast-command.js';
import { runCommand } from './run.js';

/**
 * Runs `hft token` or `hft status --json` (with the global options of `command`) exactly as the
 * full program would: same context, same exit codes, same messages. Built into its own
 * self-contained CommonJS file; see hft.cts for why.
 */
export async function runFast(command: FastCommand): Promise<void> {
  // Lean reads: a SQLite or Redis store is read through its backend's small reader, and the full
  // store is loaded only if the command writes or the reader cannot answer.
  const settings = { leanReads: true };
  if (command.name === 'token')
    await runCommand(
      command.options,
      (ctx) => runToken(ctx, command.kind === undefined ? {} : { kind: command.kind }),
      settings,
    );
  else await runCommand(command.options, (ctx) => runStatusJson(ctx, false), settings);
}
