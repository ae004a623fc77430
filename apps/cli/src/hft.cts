#!/usr/bin/env node
// The `hft` bin, a CommonJS file on purpose. `hft token` and `hft status --json` are on the
// start-up budget of scripts (`$(hft token)`, health checks; measured against `node -e 0` in
// apps/bench), and Node's ES module loader alone costs more than their own work. So their plain
// forms run from one self-contained CommonJS bundle (fast-path.cjs) without starting the ES
// module loader or the command-line parser. Everything else, and any line the fast path does not
// fully understand, goes to the full program (an ES module, which also gives usage errors and help).
import type { FastCommand } from './fast-command.js';

/** Global options the fast path accepts in front of the command, with their option names. */
const VALUE_OPTIONS: Record<string, 'account' | 'storage' | 'logLevel'> = {
  '--account': 'account',
  '--storage': 'storage',
  '--log-level': 'logLevel',
};
const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];
const KINDS = ['daily', 'extended', 'analytics', 'sandbox'];

/**
 * A plain `hft [--account X] [--storage Y] [--log-level Z] [--verbose] token [--kind K]` or
 * `... status --json`, else undefined.
 */
function plainCommand(args: readonly string[]): FastCommand | undefined {
  const options: FastCommand['options'] = {};
  let name: FastCommand['name'] | undefined;
  let json = false;
  let kind: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const option = VALUE_OPTIONS[arg];
    if (option !== undefined) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      options[option] = value;
      i += 1;
    } else if (arg === '--verbose') options.verbose = true;
    else if ((arg === 'token' || arg === 'status') && name === undefined) name = arg;
    else if (arg === '--json' && name === 'status') json = true;
    else if (arg === '--kind' && name === 'token' && kind === undefined) {
      // Only a known kind: anything else gets the full program's usage error.
      kind = args[i + 1];
      if (kind === undefined || !KINDS.includes(kind)) return undefined;
      i += 1;
    } else return undefined;
  }
  // Human `hft status` needs luxon's formatting: it belongs to the full program.
  if (name === undefined || (name === 'status' && !json)) return undefined;
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) return undefined;
  return kind === undefined ? { name, options } : { name, options, kind };
}

function crash(error: unknown): void {
  // runCommand reports every command error itself; this is only for a failure to load.
  process.stderr.write(`hft: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

const fast = plainCommand(process.argv.slice(2));
if (fast) {
  // Bundled into this file (only the two paths above stay separate files).
  const { requireWithCodeCache } = require('./code-cache.js') as typeof import('./code-cache.js');
  const { runFast } = requireWithCodeCache<typeof import('./fast-path.js')>(
    require.resolve('./fast-path.cjs'),
  );
  runFast(fast).catch(crash);
} else {
  import('./main.js').then(({ main }) => main(process.argv)).catch(crash);
}
