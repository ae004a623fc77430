import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child process opens its token store: a factory of a built module, called with JSON options. */
export interface ChildStoreSpec {
  /** Absolute path of the built module (a package's `dist/index.js`) that exports the factory. */
  module: string;
  /** Name of the exported factory, called as `factory({ ...options, cipher })`. */
  factory: string;
  /** The factory's options (JSON: paths, URLs, prefixes, intervals). */
  options: Record<string, unknown>;
  /** Seal records: `createRecordCipher({ key })` from `module` (auth-core's built store entry). Sent over IPC, never argv. */
  cipher?: { module: string; key: string };
}

/** What a child process does with its store (see `child/store-child.mjs`). */
export type StoreChildMode =
  | 'mixed'
  | 'hold-lock'
  | 'writer'
  | 'watcher'
  | 'lifecycle'
  | 'write-loop'
  | 'order-burst';

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running store child, with its IPC messages kept in order. */
export interface StoreChild {
  process: ChildProcess;
  /**
   * Resolves with the next message of `type` (already received or to come), taking it from the
   * inbox; rejects when the child exits first or nothing came within `timeoutMs` (default 30 s).
   */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Sends a message (`{ type: 'go' }`, `{ type: 'cmd', ... }`); ignored once the channel is closed. */
  send(message: Record<string, unknown>): void;
  /** Resolves once the child has exited. */
  exited: Promise<ChildExit>;
  /** Everything the child wrote to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<ChildExit>;
}

/** The child script, beside `src/` and `dist/` alike. */
export const STORE_CHILD_SCRIPT = fileURLToPath(new URL('../child/store-child.mjs', import.meta.url));

const running = new Set<ChildProcess>();

/**
 * Starts `child/store-child.mjs` under plain Node with an IPC channel and tells it to open `spec`
 * and play `mode` with `args`. The store module must be built (see `ensureBuilt`).
 */
export function forkStoreChild(
  mode: StoreChildMode,
  spec: ChildStoreSpec,
  args: Record<string, unknown> = {},
): StoreChild {
  const child = fork(STORE_CHILD_SCRIPT, [mode], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const inbox: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.on('message', (message: Record<string, unknown>) => {
    inbox.push(message);
    wake();
  });
  // A channel that closes under a send (the child exited) is not the test's failure.
  child.on('error', () => {});
  const exited = new Promise<ChildExit>((resolve) => {
    // 'close', not 'exit': by then stdout and stderr are read to the end.
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
      wake();
    });
  });
  const send = (message: Record<string, unknown>) => {
    if (child.connected) child.send(message);
  };
  send({ type: 'start', mode, spec, args });
  return {
    process: child,
    exited,
    stdout: () => out,
    stderr: () => err,
    send,
    async kill() {
      child.kill('SIGKILL');
      return exited;
    },
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
            reject(new Error(`${mode} child exited before sending "${type}"; stderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${mode} child sent no "${type}" within ${timeoutMs} ms; stderr: ${err}`));
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

/** Kills every store child still running (after each test, so a failed one leaves nothing behind). */
export function killStoreChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
