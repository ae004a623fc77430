#!/usr/bin/env node
// The `hft` bin. `hft token` is on the start-up budget of every script that runs
// `$(hft token)`, so its plain form skips loading the command-line parser; everything else, and
// any `token` line the fast path does not fully understand, goes through the full parser.
import type { GlobalOptions } from './global-options.js';

/** Global options the fast path accepts in front of `token`, with their option names. */
const VALUE_OPTIONS: Record<string, keyof GlobalOptions> = {
  '--account': 'account',
  '--storage': 'storage',
  '--log-level': 'logLevel',
};

/** The options of a plain `hft [--account X] [--storage Y] [--log-level Z] [--verbose] token`, else undefined. */
function plainTokenCommand(args: readonly string[]): GlobalOptions | undefined {
  const options: GlobalOptions = {};
  let sawToken = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const name = VALUE_OPTIONS[arg];
    if (name !== undefined) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      (options as Record<string, string>)[name] = value;
      i += 1;
    } else if (arg === '--verbose') options.verbose = true;
    else if (arg === 'token' && !sawToken) sawToken = true;
    else return undefined;
  }
  if (!sawToken) return undefined;
  if (options.logLevel !== undefined && !['error', 'warn', 'info', 'debug'].includes(options.logLevel))
    return undefined;
  return options;
}

const fast = plainTokenCommand(process.argv.slice(2));
if (fast) {
  const [{ runCommand }, { run }] = await Promise.all([import('./run.js'), import('./commands/token.js')]);
  await runCommand(fast, (ctx) => run(ctx));
} else {
  const { main } = await import('./program.js');
  await main(process.argv);
}
