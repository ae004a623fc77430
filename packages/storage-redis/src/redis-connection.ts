import { ErrorCodes, isHftError, StorageError } from '@hft/errors';
import { type createClient, ErrorReply } from '@redis/client';
import { scrubError } from './redact.js';
import type { RedisTarget } from './redis-url.js';

/** The node-redis v5 client type used by this package (RESP2, no modules). */
export type RedisClient = ReturnType<typeof createClient>;

/** Options of {@link RedisConnection}. */
export interface RedisConnectionOptions {
  /** Backend name for messages (`redis`). */
  backend: string;
  /** Where the client points (password-free, for messages). */
  target: RedisTarget;
  /** Secrets to scrub from every error that leaves {@link RedisConnection.run}. */
  secrets: readonly string[];
  /** How long a call waits for a missing connection, in ms. */
  connectTimeoutMs: number;
  /** How long a call waits for its round trips once connected, in ms. */
  commandTimeoutMs: number;
  /** Called on every `ready`; `reconnected` is true after the first (the connection came back). */
  onReady?: (reconnected: boolean) => void;
  /** Called when a call timed out on a connection that looked healthy (the server hangs). */
  onCommandTimeout?: () => void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** Resolves when `subscribe`'s callback fires or after `maxMs`, then unsubscribes. */
function waitFor(subscribe: (done: () => void) => () => void, maxMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let unsubscribe = () => {};
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, maxMs);
    unsubscribe = subscribe(finish);
  });
}

const where = (operation: string, key: string | undefined) => `${operation}${key ? ` of ${key}` : ''}`;

/**
 * One node-redis client with the lifecycle this store needs:
 *
 * - connects lazily, and reconnects by itself (the client's `reconnectStrategy`);
 * - {@link ready} waits at most `connectTimeoutMs` for a missing connection, so a call made while
 *   Redis is down fails within that time instead of queueing (the client runs with
 *   `disableOfflineQueue`);
 * - {@link run} bounds a call's round trips by `commandTimeoutMs` (node-redis only times out
 *   commands that were never written), and on such a timeout drops the connection so the next
 *   call starts on a fresh one rather than behind a hung socket;
 * - {@link close} lets calls in flight finish (each is bounded), then destroys the socket.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly #options: RedisConnectionOptions;
  readonly #waiters = new Set<Waiter>();
  readonly #idle = new Set<() => void>();
  #lastError: Error | undefined;
  #everReady = false;
  #attempting = false;
  #closed = false;
  #inFlight = 0;

  constructor(client: RedisClient, options: RedisConnectionOptions) {
    this.client = client;
    this.#options = options;
    // Without an 'error' listener node-redis would crash the process on the first refused connect.
    client.on('error', (error: unknown) => {
      this.#attempting = false;
      this.#lastError = error instanceof Error ? error : new Error(String(error));
      // The server answered and said no (wrong password, bad database): waiting longer is useless.
      if (error instanceof ErrorReply) for (const waiter of [...this.#waiters]) waiter.reject(error);
    });
    client.on('reconnecting', () => {
      this.#attempting = true;
    });
    client.on('ready', () => {
      this.#attempting = false;
      if (this.#closed) {
        // A connect that was already on the wire when close() ran: do not let it hold the process.
        if (client.isOpen) client.destroy();
        else client.unref();
        return;
      }
      const reconnected = this.#everReady;
      this.#everReady = true;
      this.#lastError = undefined;
      for (const waiter of [...this.#waiters]) waiter.resolve();
      this.#options.onReady?.(reconnected);
    });
  }

  /** Whether the connection is up and usable now. */
  get isReady(): boolean {
    return this.client.isReady;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Starts connecting in the background, unless already connected, connecting or closed. */
  start(): void {
    if (this.#closed || this.client.isOpen) return;
    this.#attempting = true;
    this.client.connect().catch((error: unknown) => {
      this.#lastError = error instanceof Error ? error : new Error(String(error));
    });
  }

  /**
   * The client once connected, waiting at most `connectTimeoutMs` for a connection.
   * @throws StorageError `HFT_STORAGE_UNAVAILABLE` when no connection came in time, the server
   *   refused it (authentication, database), or the connection is closed.
   */
  async ready(operation: string, key?: string): Promise<RedisClient> {
    const { backend, target, connectTimeoutMs } = this.#options;
    if (this.#closed) throw this.#closedError(operation);
    if (this.client.isReady) return this.client;
    this.start();
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = {
        resolve: () => settle(),
        reject: (cause) =>
          settle(
            this.#unavailable(
              `${backend} store: ${where(operation, key)} failed: Redis at ${target.display} refused the connection: ${cause.message}`,
              operation,
              key,
              cause,
            ),
          ),
      };
      const timer = setTimeout(() => {
        const last = this.#lastError;
        settle(
          this.#unavailable(
            `${backend} store: ${where(operation, key)} failed: no connection to Redis at ${target.display} within ${connectTimeoutMs} ms${last ? ` (last error: ${last.message || last.name})` : ''}`,
            operation,
            key,
            last,
          ),
        );
      }, connectTimeoutMs);
      this.#waiters.add(waiter);
    });
    if (this.#closed) throw this.#closedError(operation);
    return this.client;
  }

  /**
   * Runs one call: waits for the connection ({@link ready}), then for `work` at most
   * `commandTimeoutMs`. A call that times out may or may not have reached Redis; a record is
   * one `SET`, so it is either fully written or not at all. Errors leave with the URL's
   * password scrubbed.
   * @throws StorageError for a missing connection or a timeout; `work`'s own errors otherwise.
   */
  async run<T>(
    operation: string,
    key: string | undefined,
    work: (client: RedisClient) => Promise<T>,
  ): Promise<T> {
    const { backend, target, commandTimeoutMs, secrets } = this.#options;
    this.#inFlight += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A connected client is used at once: no extra turn through an async ready().
      const client = this.client.isReady && !this.#closed ? this.client : await this.ready(operation, key);
      const pending = work(client);
      // The losing side of the race must not become an unhandled rejection.
      pending.catch(() => {});
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(
            this.#unavailable(
              `${backend} store: ${where(operation, key)} failed: Redis at ${target.display} did not answer within ${commandTimeoutMs} ms`,
              operation,
              key,
            ),
          );
          this.#onTimeout();
        }, commandTimeoutMs);
      });
      return await Promise.race([pending, deadline]);
    } catch (error) {
      throw scrubError(this.#withTarget(error, operation, key), secrets);
    } finally {
      clearTimeout(timer);
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const done of [...this.#idle]) done();
    }
  }

  /**
   * Drops a connection that stopped answering (only while it still looks connected: a
   * reconnect in progress is left alone) and starts a fresh one.
   */
  restart(): void {
    if (this.#closed || !this.client.isReady) return;
    this.client.destroy();
    this.start();
  }

  /**
   * Waits for calls in flight (each bounded by its timeouts) and for a connect attempt on the
   * wire, then destroys the socket. Further calls fail with `StorageError`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const { connectTimeoutMs, commandTimeoutMs } = this.#options;
    if (this.#inFlight > 0) {
      await waitFor(
        (done) => {
          this.#idle.add(done);
          return () => this.#idle.delete(done);
        },
        connectTimeoutMs + commandTimeoutMs + 100,
      );
    }
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.resolve();
    if (!this.client.isOpen) return;
    if (!this.client.isReady && this.#attempting) {
      // A socket that is still connecting cannot be destroyed through the client; let it settle.
      await waitFor((done) => {
        this.client.once('ready', done);
        this.client.once('error', done);
        return () => {
          this.client.off('ready', done);
          this.client.off('error', done);
        };
      }, connectTimeoutMs + 100);
    }
    if (this.client.isOpen) this.client.destroy();
  }

  #onTimeout(): void {
    if (this.#closed) return;
    this.restart();
    this.#options.onCommandTimeout?.();
  }

  /**
   * Names the server in an outage: a raw client error becomes a `StorageError` saying where, and
   * a generic "failed: <reason>" from the keyv store gets the server appended.
   */
  #withTarget(error: unknown, operation: string, key: string | undefined): unknown {
    const { backend, target } = this.#options;
    const { display } = target;
    if (!isHftError(error)) {
      const reason = error instanceof Error ? error.message || error.name : String(error);
      return this.#unavailable(
        `${backend} store: ${where(operation, key)} failed: ${reason} (Redis at ${display})`,
        operation,
        key,
        error,
      );
    }
    if (
      error instanceof StorageError &&
      error.code === ErrorCodes.STORAGE_UNAVAILABLE &&
      error.message.includes(' failed: ') &&
      !error.message.includes(display)
    ) {
      Object.defineProperty(error, 'message', {
        value: `${error.message} (Redis at ${display})`,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    return error;
  }

  #closedError(operation: string): StorageError {
    const { backend } = this.#options;
    return new StorageError(`${backend} store: ${operation} after close()`, {
      backend,
      details: { backend, operation },
    });
  }

  #unavailable(message: string, operation: string, key: string | undefined, cause?: unknown): StorageError {
    const { backend, secrets } = this.#options;
    return scrubError(
      new StorageError(message, {
        backend,
        code: ErrorCodes.STORAGE_UNAVAILABLE,
        ...(cause === undefined ? {} : { cause }),
        details: { backend, operation, ...(key ? { key } : {}) },
      }),
      secrets,
    );
  }
}
