import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { CLI_BIN } from './paths.js';
import { harvestHome, recordRun, registerSecret } from './registry.js';

/** Environment of one CLI run (merged over a minimal base: PATH and a throwaway HOME). */
export type CliEnv = Record<string, string | undefined>;

/** How one CLI process ended. */
export interface CliResult {
  /** Exit code; `null` when it was killed (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time in ms. */
  ms: number;
}

/** Options of {@link startCli} / {@link runCli}. */
export interface CliOptions {
  env: CliEnv;
  /** Written to stdin, which is then closed (omit to leave stdin open and empty). */
  input?: string;
  /** Kill the process (SIGKILL) after this many ms. Default 15 000. */
  killAfterMs?: number;
  /** Node flags placed before the script (e.g. `--import`). */
  nodeArgs?: string[];
  /** Script to run instead of the built bin (a copy of it, say). */
  script?: string;
}

const VALUE_OPTIONS = new Set(['--account', '--storage', '--log-level', '--http-timeout']);

/** The command a CLI argument list runs (`login`, `token`...), skipping global options. */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (VALUE_OPTIONS.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** A running CLI process whose output can be awaited line by line. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first match of `pattern` on stdout (default) or stderr; rejects on exit or after `ms`. */
  waitFor(
    pattern: RegExp,
    options?: { stream?: 'stdout' | 'stderr'; ms?: number },
  ): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly done: Promise<CliResult>;
}

/**
 * Starts `node dist/hft.cjs ...args` with `env` over a minimal base environment (nothing of the
 * test process's UPSTOX_* / HFT_* leaks in). Its output is recorded for the secret scan.
 */
export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' };
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  env.HOME ??= env.HFT_HOME ?? '/nonexistent';
  const started = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script ?? CLI_BIN, ...args], {
    env,
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  let exited = false;
  const notify = () => {
    for (const check of [...waiters]) check();
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });
  // A closed stdin (the CLI exited first) is not an error for the test.
  child.stdin.on('error', () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (error) => {
      exited = true;
      notify();
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      exited = true;
      const result = { code, signal, stdout, stderr, ms: Date.now() - started };
      const command = commandOf(args);
      // `hft token [--kind K]` prints a token; `hft token import` must not.
      const tokenCommand =
        command === 'token' && !args.includes('import') && !args.includes('--help') && code === 0;
      recordRun({ args: [...args], stdout, stderr, tokenCommand });
      if (tokenCommand) registerSecret('access token', stdout.trim());
      if (env.HFT_HOME) harvestHome(env.HFT_HOME);
      notify();
      resolve(result);
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitFor(pattern, { stream = 'stdout', ms = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no ${pattern} on ${stream} within ${ms} ms; stdout: ${stdout}\nstderr: ${stderr}`),
          );
        }, ms);
        const check = () => {
          const match = (stream === 'stdout' ? stdout : stderr).match(pattern);
          if (match) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(match);
          } else if (exited) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(
              new Error(
                `the CLI exited before ${pattern} on ${stream}; stdout: ${stdout}\nstderr: ${stderr}`,
              ),
            );
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, { ...options, input: options.input ?? '' }).done;
}

/** Lines of text with the ones that are only whitespace removed. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** A stack frame line such as `    at foo (file.js:1:2)`. */
export const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;
