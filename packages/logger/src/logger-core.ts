import {
  assertFunction,
  assertOptional,
  assertPlainObject,
  describeType,
  invalidArgument,
} from '@hft/errors/assert';
import winston from 'winston';
import { DEFAULT_LOG_ROTATION, type LogRotation, SecureFileTransport } from './file-transport.js';
import { DEFAULT_LOG_LEVEL, isLogLevel, LOG_LEVELS, type LogLevel } from './levels.js';
import { consoleLineFormat, jsonLineFormat } from './line-formats.js';
import { redactionFormat } from './redaction-format.js';
import { Redactor } from './redactor.js';
import { openSecureLogFile } from './secure-file.js';

/** A clock in epoch milliseconds: a function, or an object with `now()` (such as `@hft/time`'s). */
export type ClockLike = (() => number) | { now(): number };

/** Options of `createLogger` (and `Logger.setup`). */
export interface CreateLoggerOptions {
  /** Most verbose level written. Default `info`. */
  level?: LogLevel;
  /** Path of a JSON-lines log file (mode 0600; missing directories created 0700). Default: none. */
  file?: string;
  /**
   * Size rotation of `file`: `maxBytes` per file (0: never rotate), `maxFiles` kept in all.
   * Default 10 MiB and 5 files (`DEFAULT_LOG_ROTATION`). Rotated files keep mode 0600.
   */
  rotation?: Partial<LogRotation>;
  /** Write human-readable lines to the console stream. Default `true`. */
  console?: boolean;
  /**
   * Console destination. Default `process.stderr`: stdout is reserved for command output.
   * Tests pass a stream they can read.
   */
  stream?: NodeJS.WritableStream;
  /** Secret values to redact everywhere (`undefined`/`null`/`''` ignored). */
  secrets?: Iterable<string | null | undefined>;
  /** Logger name shown on every entry (children may override). Default: none. */
  name?: string;
  /** Source of entry timestamps, epoch ms. Default `Date.now`. */
  clock?: ClockLike;
  /**
   * Secret registry to use; share one between loggers so a secret registered on one is hidden
   * by all. Default: a new registry holding `secrets`.
   */
  redactor?: Redactor;
  /**
   * Told about output failures (a file write error, a failing stream). Default: one line on
   * `process.stderr`. Logging calls themselves never throw.
   */
  onError?: (error: Error) => void;
}

/**
 * winston's own `_final` ends the transports as soon as the logger's writable side finishes,
 * while entries can still sit in the logger's readable buffer on their way to the transports:
 * closing right after a burst lost the tail of the burst ("write after end"). Here the pipe
 * ends each transport itself, after every buffered entry has been handed to it.
 */
class FlushingLogger extends winston.Logger {
  override _final(done: (error?: Error | null) => void): void {
    done();
  }
}

function readClock(clock: ClockLike | undefined): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock === 'function') return clock;
  if (typeof clock === 'object' && clock !== null && typeof clock.now === 'function')
    return () => clock.now();
  throw invalidArgument('options.clock', 'a function or an object with now()', { got: describeType(clock) });
}

function validate(options: CreateLoggerOptions): void {
  assertPlainObject(options as unknown, 'options', 'an options object');
  if (options.level !== undefined && !isLogLevel(options.level)) {
    throw invalidArgument('options.level', `one of ${Object.keys(LOG_LEVELS).join(', ')}`, {
      got: JSON.stringify(options.level),
    });
  }
  if (options.file !== undefined && (typeof options.file !== 'string' || options.file.trim() === '')) {
    throw invalidArgument('options.file', 'a non-empty path', { got: describeType(options.file) });
  }
  const { maxBytes, maxFiles } = options.rotation ?? {};
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
    throw invalidArgument('options.rotation.maxBytes', 'a whole number of bytes, 0 or more');
  }
  if (maxFiles !== undefined && (!Number.isSafeInteger(maxFiles) || maxFiles < 1)) {
    throw invalidArgument('options.rotation.maxFiles', 'a whole number, at least 1');
  }
  if (options.stream !== undefined && typeof (options.stream as { write?: unknown }).write !== 'function') {
    throw invalidArgument('options.stream', 'a writable stream', { got: describeType(options.stream) });
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw invalidArgument('options.name', 'a string', { got: describeType(options.name) });
  }
  const secrets = options.secrets as unknown;
  if (
    secrets !== undefined &&
    (typeof secrets === 'string' ||
      typeof (secrets as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function')
  ) {
    throw invalidArgument('options.secrets', 'an array of strings', { got: describeType(secrets) });
  }
  assertOptional(options.onError, 'options.onError', assertFunction);
  if (options.redactor !== undefined && !(options.redactor instanceof Redactor)) {
    throw invalidArgument('options.redactor', 'a Redactor', { got: describeType(options.redactor) });
  }
}

function isoTimestamp(ms: number): string {
  try {
    return new Date(ms).toISOString();
  } catch {
    return String(ms);
  }
}

function isErrorLike(value: object): boolean {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** What a caller may pass as `meta`: normally a record, but JS callers pass anything. */
function normaliseMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === undefined || meta === null) return undefined;
  if (typeof meta !== 'object') return { meta };
  if (isErrorLike(meta)) return { error: meta };
  if (Array.isArray(meta)) return { meta };
  return meta as Record<string, unknown>;
}

/**
 * The shared part of a logger and all its children: winston instance, level, redactor, clock.
 * @internal
 */
export class LoggerCore {
  readonly level: LogLevel;
  readonly name: string | undefined;
  readonly redactor: Redactor;
  readonly #winston: winston.Logger;
  readonly #transports: readonly winston.transport[];
  readonly #clock: () => number;
  readonly #onError: (error: Error) => void;
  #closing: Promise<void> | undefined;

  /** @throws InputError for invalid options; ConfigError when the log file cannot be used. */
  constructor(options: CreateLoggerOptions) {
    validate(options);
    this.level = options.level ?? DEFAULT_LOG_LEVEL;
    this.name = options.name;
    this.#clock = readClock(options.clock);
    this.redactor = options.redactor ?? new Redactor();
    for (const secret of options.secrets ?? []) this.redactor.addSecret(secret);
    this.#onError = this.#guardErrorHandler(options.onError);

    // Opened first: if the file is unusable, nothing else has been set up.
    const fd = options.file === undefined ? undefined : openSecureLogFile(options.file);
    const transports: winston.transport[] = [];
    if (options.console !== false) {
      const stream = options.stream ?? process.stderr;
      // An injected stream that fails must not crash the app through an unhandled 'error';
      // process.stderr is left to the app's own handling.
      if (stream !== process.stderr) this.#watchStream(stream);
      transports.push(new winston.transports.Stream({ stream, format: consoleLineFormat() }));
    }
    if (fd !== undefined && options.file !== undefined) {
      transports.push(
        new SecureFileTransport({
          fd,
          path: options.file,
          format: jsonLineFormat(),
          onError: this.#onError,
          rotation: { ...DEFAULT_LOG_ROTATION, ...options.rotation },
        }),
      );
    }
    this.#transports = transports;
    this.#winston = new FlushingLogger({
      levels: { ...LOG_LEVELS },
      level: this.level,
      format: redactionFormat(this.redactor),
      transports,
      exitOnError: false,
      // With no transport winston would complain on stderr for every entry.
      silent: transports.length === 0,
    });
    this.#winston.on('error', this.#onError);
  }

  /** True once `close()` was called; later entries are dropped. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #watchStream(stream: NodeJS.WritableStream): void {
    let reported = false;
    stream.on('error', (error: Error) => {
      if (reported) return;
      reported = true;
      this.#onError(
        new Error(`Writing log entries to the console stream failed: ${error.message}`, { cause: error }),
      );
    });
  }

  #guardErrorHandler(handler: ((error: Error) => void) | undefined): (error: Error) => void {
    const report =
      handler ??
      ((error: Error) => {
        process.stderr.write(`[@hft/logger] ${this.redactor.redactString(error.message)}\n`);
      });
    return (error: Error) => {
      try {
        report(error);
      } catch {
        // The error reporter itself failed; there is nowhere left to report to.
      }
    };
  }

  /** Writes one entry (level already checked by the caller). Never throws. */
  write(
    level: LogLevel,
    message: unknown,
    bindings: Record<string, unknown> | undefined,
    meta: unknown,
    name: string | undefined,
  ): void {
    if (this.#closing !== undefined) return;
    try {
      let call = normaliseMeta(meta);
      let text: string;
      if (typeof message === 'string') text = message;
      else if (typeof message === 'object' && message !== null && isErrorLike(message)) {
        text = String((message as Error).message);
        call = { error: message, ...call };
      } else text = String(message);
      const merged = bindings === undefined ? call : call === undefined ? bindings : { ...bindings, ...call };
      const info: Record<string, unknown> = { level, message: text, timestamp: isoTimestamp(this.#clock()) };
      const entryName = name ?? this.name;
      if (entryName !== undefined) info.name = entryName;
      if (merged !== undefined) info.meta = merged;
      this.#winston.log(info as winston.LogEntry);
    } catch (error) {
      this.#onError(new Error('A log entry could not be written', { cause: error }));
    }
  }

  /** Ends the winston logger; resolves once every transport finished (file written, synced, closed). */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const streams: NodeJS.EventEmitter[] = [this.#winston, ...this.#transports];
      let pending = streams.length;
      const settle = () => {
        pending -= 1;
        if (pending === 0) resolve();
      };
      for (const stream of streams) {
        if ((stream as { writableFinished?: boolean }).writableFinished === true) settle();
        else stream.once('finish', settle);
      }
      this.#winston.end();
    });
    return this.#closing;
  }
}
