/**
 * Log levels, most severe first. The numbers are winston priorities: an entry is written when
 * its level's number is less than or equal to the logger level's number.
 */
export const LOG_LEVELS = Object.freeze({ error: 0, warn: 1, info: 2, debug: 3 } as const);

/** One of `error`, `warn`, `info`, `debug`. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** Level used when none is given: `info`. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** True when `value` is one of the four {@link LogLevel} names (exact, lower case). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LOG_LEVELS, value);
}

/** True when an entry at `entry` level passes a logger set to `threshold`. */
export function levelEnabled(threshold: LogLevel, entry: LogLevel): boolean {
  return LOG_LEVELS[entry] <= LOG_LEVELS[threshold];
}
