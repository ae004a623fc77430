/**
 * The smallest logger shape a library needs. Libraries declare this same shape themselves
 * (structurally) and default to {@link silentLogger}, so they never import `@hft/logger`;
 * an app passes the logger it built with `createLogger` or `Logger.get`.
 *
 * `meta` is structured context (ids, counts, an `error`); it is redacted before output by
 * `@hft/logger`, but callers should still not put secrets in it on purpose.
 */
export interface LoggerLike {
  /** Something failed and was not recovered. */
  error(message: string, meta?: Record<string, unknown>): void;
  /** Something unexpected that was handled (a retry, a fallback). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** A normal milestone (logged in, token refreshed). */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Detail for troubleshooting. */
  debug(message: string, meta?: Record<string, unknown>): void;
}

function discard(_message: string, _meta?: Record<string, unknown>): void {}

/** A {@link LoggerLike} that drops everything: the default of every library that takes a logger. */
export const silentLogger: LoggerLike = Object.freeze({
  error: discard,
  warn: discard,
  info: discard,
  debug: discard,
});
