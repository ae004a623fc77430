import { describeType, invalidArgument } from '@hft/errors/assert';
import { toEpochMs } from './instant.js';

/**
 * A source of the current time. Library code asks a `Clock` instead of reading the wall clock,
 * so callers (and tests) decide what "now" is.
 */
export interface Clock {
  /** Current instant in epoch milliseconds (UTC, like `Date.now()`). */
  now(): number;
}

/** The real clock: `now()` returns `Date.now()` (epoch milliseconds). */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
});

/**
 * Reads `clock` (default {@link systemClock}) and validates the answer. A broken clock returning
 * NaN would make every token look valid, so it throws instead (fail closed).
 *
 * @internal
 */
export function readClock(clock: Clock | undefined): number {
  const source = clock ?? systemClock;
  if (typeof source?.now !== 'function') {
    throw invalidArgument('clock', 'an object with a now() method', { got: describeType(source) });
  }
  return toEpochMs(source.now(), 'clock.now()');
}
