import { type ChildProcess, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's directory. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

const CHILD = join(PACKAGE_DIR, 'test', 'fixtures', 'child.mjs');

/** A child process running `test/fixtures/child.mjs`, with its IPC messages kept in order. */
export interface Child {
  process: ChildProcess;
  /** Resolves with the next message (received or to come) of `type`; rejects if the child exits first or after `timeoutMs`. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the child wrote to stderr. */
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** Starts `child.mjs <mode> <path> ...args` with an IPC channel, under plain Node. */
export function forkChild(mode: string, path: string, ...args: string[]): Child {
  const child = fork(CHILD, [mode, path, ...args], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.add(child);
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
  });
  const inbox: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  child.on('message', (message: Record<string, unknown>) => {
    inbox.push(message);
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
      for (const wake of [...waiters]) wake();
    });
  });
  return {
    process: child,
    exited,
    stderr: () => errText,
    next<T>(type: string, timeoutMs = 30_000) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const index = inbox.findIndex((m) => m.type === type);
          if (index >= 0) {
            const [message] = inbox.splice(index, 1);
            done();
            resolve(message as T);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`child ${mode} exited before sending "${type}": ${errText}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`child ${mode} sent no "${type}" within ${timeoutMs} ms: ${errText}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs `child.mjs <mode> <path>` without IPC; resolves with its exit status and stdout. */
export function runChild(
  mode: string,
  path: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CHILD, mode, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    // A child still alive after timeoutMs has something left open: kill it and report the signal.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Kills every child still running (after a failed test). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
