import { spawnSync } from 'node:child_process';

/** One timed run of a child Node process. */
export interface TimedRun {
  /** Wall time, spawn to exit, in ms. */
  ms: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs `node ...args` once, synchronously, with exactly `env` (nothing inherited), stdout
 * captured (or discarded when `discardStdout`, as `> /dev/null` would), and times it.
 * @throws the spawn error when the process could not start.
 */
export function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { discardStdout?: boolean } = {},
): TimedRun {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'pipe', 'pipe'],
  });
  const ms = performance.now() - started;
  if (result.error) throw result.error;
  return { ms, stdout: result.stdout ?? '', stderr: result.stderr ?? '', code: result.status };
}
