import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this package. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(PACKAGE_DIR, 'test', 'fixtures');

/** A running fixture script, with its output split into lines. */
export interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line satisfying `match`; rejects if the child exits first. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  /** Sends `go` on stdin (the fixtures wait for it before they start working). */
  go(): void;
}

/** Starts `test/fixtures/<script>` with `args`. */
export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [join(FIXTURES, script), ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let errText = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
    }
  });
  child.stderr.on('data', (chunk: string) => {
    errText += chunk;
  });
  child.stdin.on('error', () => {});
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    process: child,
    exited,
    stderr: () => errText,
    go: () => {
      child.stdin.write('go\n');
    },
    line(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((how) =>
          reject(new Error(`${script} exited (${how}) before the expected line; stderr: ${errText}`)),
        );
      });
    },
  };
}

/** Kills `child` with SIGKILL and waits until it is gone. */
export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}
