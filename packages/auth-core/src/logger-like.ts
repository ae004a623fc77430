/**
 * The logging shape this library accepts (structurally compatible with `@hft/logger`, winston,
 * pino's child loggers and `console`). The library never logs secrets, and logs nothing by
 * default.
 */
export interface LoggerLike {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that drops everything: the default. */
export const silentLogger: LoggerLike = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};
