import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** A real redis-server on a free loopback port, owned by one test file (or one bench run). */
export interface RedisServer {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:<port>/<db>` */
  url(db?: number): string;
  /** Runs one command through `redis-cli` and returns its raw output, trimmed. */
  cli(...args: string[]): Promise<string>;
  /** Saves the data set, then kills the server (SIGKILL) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts the server again on the same port (loading the saved data); no-op when running. */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  freeze(): void;
  /** Undoes {@link freeze} (SIGCONT). */
  thaw(): void;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Kills the server and removes its directory. */
  shutdown(): Promise<void>;
}

/** Resolves once something on `port` answers a PING (PONG, or NOAUTH when a password is set). */
async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(/^[+-]/.test(data.toString())));
    });
    if (answered) return;
    if (Date.now() - started > timeoutMs) throw new Error(`redis-server on ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `redis-server` from Debian's package on a free 127.0.0.1 port (no persistence of its
 * own; `stop()` saves explicitly) and waits until it answers PING. Every server still running
 * is killed when the process exits.
 * @throws Error when the binary is missing or the server does not answer within 10 s.
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hft-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--dbfilename',
    'dump.rdb',
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    live.add(started);
    started.once('exit', () => {
      live.delete(started);
      if (child === started) child = undefined;
    });
    child = started;
    await waitForPing(port);
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((r) => current.once('exit', r));
    current.kill('SIGCONT');
    current.kill('SIGKILL');
    await exited;
  };
  const auth = options.password ? ['-a', options.password, '--no-auth-warning'] : [];
  const server: RedisServer = {
    port,
    url: (db) =>
      `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}${db === undefined ? '' : `/${db}`}`,
    async cli(...command) {
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...auth, ...command]);
      return stdout.trim();
    },
    async stop() {
      await server.cli('SAVE');
      await kill();
    },
    async restart() {
      if (!child) await launch();
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    get running() {
      return child !== undefined;
    },
    async shutdown() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await launch();
  return server;
}
