import { type ChildProcess, fork } from 'node:child_process';
import { workerPath } from './package-paths.js';

/** A message a worker sends its parent: `type` says which. */
export interface WorkerMessage {
  type: string;
  [field: string]: unknown;
}

/** A running `dist/workers/<name>.js` child process with an IPC channel. */
export interface Worker {
  readonly process: ChildProcess;
  /** Sends `message` over IPC. */
  send(message: WorkerMessage): void;
  /**
   * Resolves with the next message of `type` (earlier messages of other types are dropped);
   * rejects on an `error` message, when the child exits first, or after `timeoutMs`.
   */
  next(type: string, timeoutMs?: number): Promise<WorkerMessage>;
  /** Calls `listener` for every message from now on; returns a function that stops it. */
  onMessage(listener: (message: WorkerMessage) => void): () => void;
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>;
  /** Kills the child (SIGKILL) if it is still running and waits for it. */
  kill(): Promise<void>;
}

/**
 * Forks the built worker `name` with JSON `args` as its single argument. The child gets a plain
 * Node (no inherited `--inspect`, loaders or test-runner flags) and the parent's environment
 * minus `NODE_OPTIONS`. Its stderr is passed through, prefixed, so a crash is visible.
 * @throws Error when the worker is not built.
 */
export function startWorker(name: string, args: unknown): Worker {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = fork(workerPath(name), [JSON.stringify(args)], {
    execArgv: [],
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) process.stderr.write(`  [${name}] ${line}\n`);
  });
  const listeners = new Set<(message: WorkerMessage) => void>();
  child.on('message', (message) => {
    for (const listener of [...listeners]) listener(message as WorkerMessage);
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

  return {
    process: child,
    send(message) {
      child.send(message);
    },
    next(type, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(listener);
          fn();
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name}: no "${type}" message within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const listener = (message: WorkerMessage) => {
          if (message.type === type) done(() => resolve(message));
          else if (message.type === 'error') {
            done(() => reject(new Error(`${name}: ${String(message.message)}`)));
          }
        };
        listeners.add(listener);
        void exited.then((code) =>
          done(() => reject(new Error(`${name} exited (code ${code}) before sending "${type}"`))),
        );
      });
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Worker side: sends `message` to the parent (no-op without an IPC channel). */
export function tellParent(message: WorkerMessage): void {
  process.send?.(message);
}

/** Worker side: the JSON argument the parent passed to {@link startWorker}. */
export function workerArgs<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('missing worker argument (JSON)');
  return JSON.parse(raw) as T;
}

/**
 * Worker side: runs `main`, reporting a failure to the parent as `{type: 'error', message}` and
 * exiting with code 1.
 */
export function runWorker(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    tellParent({ type: 'error', message });
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
