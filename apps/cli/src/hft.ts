#!/usr/bin/env node
// The `hft` bin. `hft token` and `hft status [--json]` are on the start-up budget of scripts
// (`$(hft token)`, health checks), so their plain forms skip loading the command-line parser;
// everything else, and any line the fast path does not fully understand, goes through the full
// parser (which also gives the usage errors and help).
import type { GlobalOptions } from './global-options.js';

/** Global options the fast path accepts in front of the command, with their option names. */
const VALUE_OPTIONS: Record<string, keyof GlobalOptions> = {
  '--account': 'account',
  '--storage': 'storage',
  '--log-level': 'logLevel',
};
const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];

interface FastCommand {
  name: 'token' | 'status';
  options: GlobalOptions & { json?: boolean };
}

/**
 * A plain `hft [--account X] [--storage Y] [--log-level Z] [--verbose] token` or `... status
 * [--json]`, else undefined.
 */
function plainCommand(args: readonly string[]): FastCommand | undefined {
  const options: FastCommand['options'] = {};
  let name: FastCommand['name'] | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const option = VALUE_OPTIONS[arg];
    if (option !== undefined) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      (options as Record<string, string>)[option] = value;
      i += 1;
    } else if (arg === '--verbose') options.verbose = true;
    else if ((arg === 'token' || arg === 'status') && name === undefined) name = arg;
    else if (arg === '--json' && name === 'status') options.json = true;
    else return undefined;
  }
  if (name === undefined) return undefined;
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) return undefined;
  return { name, options };
}

const fast = plainCommand(process.argv.slice(2));
if (fast) {
  const { runCommand } = await import('./run.js');
  if (fast.name === 'token') {
    const { run } = await import('./commands/token.js');
    await runCommand(fast.options, (ctx) => run(ctx));
  } else {
    const { run } = await import('./commands/status.js');
    await runCommand(fast.options, (ctx) => run(ctx, { json: fast.options.json === true }));
  }
} else {
  const { main } = await import('./program.js');
  await main(process.argv);
}
