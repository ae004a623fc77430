import { assertPlainObject, describeType, invalidArgument } from '@hft/errors/assert';
import { isLogLevel, type LogLevel, levelEnabled } from './levels.js';
import { type CreateLoggerOptions, LoggerCore } from './logger-core.js';
import type { LoggerLike } from './logger-like.js';

/** Options of {@link HftLogger.child}. */
export interface ChildOptions {
  /** Name shown on the child's entries instead of the parent's. */
  name?: string;
}

/**
 * A logger built by {@link createLogger} or `Logger.get`. It satisfies {@link LoggerLike}, so it
 * can be handed to any library. Logging methods never throw; entries logged after `close()` are
 * dropped.
 */
export interface HftLogger extends LoggerLike {
  /** The most verbose level written. */
  readonly level: LogLevel;
  /** Name shown on this logger's entries, if any. */
  readonly name: string | undefined;
  /** True when an entry at `level` would be written (use it to skip building costly metadata). */
  isLevelEnabled(level: LogLevel): boolean;
  /**
   * A logger that adds `meta` to every entry (an entry's own metadata wins on equal keys) and
   * shares this logger's outputs, level and secrets. `meta` is copied (one level deep) now and
   * redacted at each entry, so secrets registered later are still hidden.
   *
   * @throws InputError when `meta` is not an object or `options.name` is not a string.
   */
  child(meta: Record<string, unknown>, options?: ChildOptions): HftLogger;
  /**
   * Registers a secret value to redact from every later entry of this logger, its parent and
   * its children (they share one registry). `undefined`, `null` and `''` are ignored.
   *
   * @throws InputError when `value` is not a string or is shorter than 4 characters.
   */
  addSecret(value: string | null | undefined): void;
  /**
   * Flushes and closes the outputs shared with the parent and all children. Resolves once
   * every pending entry is written to the file, fsynced and the file closed. The console stream
   * is never ended. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/** Where a handle sends its work; lets `Logger.get` handles follow the current root. @internal */
export interface LoggerSource {
  core(): LoggerCore;
  addSecret(value: string | null | undefined): void;
  close(): Promise<void>;
}

/** @internal */
export class LoggerHandle implements HftLogger {
  readonly #source: LoggerSource;
  readonly #bindings: Record<string, unknown> | undefined;
  readonly #name: string | undefined;

  constructor(source: LoggerSource, bindings?: Record<string, unknown>, name?: string) {
    this.#source = source;
    this.#bindings = bindings;
    this.#name = name;
  }

  get level(): LogLevel {
    return this.#source.core().level;
  }

  get name(): string | undefined {
    return this.#name ?? this.#source.core().name;
  }

  isLevelEnabled(level: LogLevel): boolean {
    return isLogLevel(level) && levelEnabled(this.#source.core().level, level);
  }

  error(message: string, meta?: Record<string, unknown>): void {
    this.#log('error', message, meta);
  }

  warn(message: string, meta?: Record<string, unknown>): void {
    this.#log('warn', message, meta);
  }

  info(message: string, meta?: Record<string, unknown>): void {
    this.#log('info', message, meta);
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.#log('debug', message, meta);
  }

  child(meta: Record<string, unknown>, options: ChildOptions = {}): HftLogger {
    assertPlainObject(meta as unknown, 'meta');
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw invalidArgument('options.name', 'a string', { got: describeType(options.name) });
    }
    const bindings = { ...this.#bindings, ...meta };
    return new LoggerHandle(this.#source, bindings, options.name ?? this.#name);
  }

  addSecret(value: string | null | undefined): void {
    this.#source.addSecret(value);
  }

  close(): Promise<void> {
    return this.#source.close();
  }

  #log(level: LogLevel, message: string, meta: Record<string, unknown> | undefined): void {
    const core = this.#source.core();
    if (!levelEnabled(core.level, level)) return;
    core.write(level, message, this.#bindings, meta, this.#name);
  }
}

/**
 * Creates a logger with secret redaction at its boundary: every entry passes the redaction
 * format before any output. Console lines go to `process.stderr` (or `options.stream`), never
 * stdout; with `file`, JSON lines are appended to a 0600 file.
 *
 * @example
 * const log = createLogger({ level: 'debug', file: '/var/lib/hft/logs/hft.log', name: 'cli' });
 * log.addSecret(credentials.clientSecret);
 * log.info('token refreshed', { userId, expiresAt });
 * await log.close();
 *
 * @throws InputError (`HFT_INPUT_INVALID`) for an invalid option (level, file, stream, name,
 *   clock, secrets, onError) or a secret shorter than 4 characters.
 * @throws ConfigError (`HFT_CONFIG_INVALID`, issue field `file`) when the log file or its
 *   directory cannot be created, opened or set to mode 0600.
 */
export function createLogger(options: CreateLoggerOptions = {}): HftLogger {
  const core = new LoggerCore(options);
  return new LoggerHandle({
    core: () => core,
    addSecret: (value) => core.redactor.addSecret(value),
    close: () => core.close(),
  });
}
