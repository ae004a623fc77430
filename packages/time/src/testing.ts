import { assertFiniteNumber } from '@hft/errors/assert';
import type { Clock } from './clock.js';
import { type InstantInput, toEpochMs } from './instant.js';

/** A {@link Clock} that only moves when told to: for tests that cross 03:30 IST without sleeping. */
export interface ManualClock extends Clock {
  /** Jumps to `to` (forwards or backwards). Throws InputError (argument `to`) when invalid. */
  set(to: InstantInput): void;
  /** Moves forward by `ms` milliseconds (finite, >= 0). Throws InputError (argument `ms`) otherwise. */
  advance(ms: number): void;
}

/** Default start of {@link createManualClock}: Monday 2026-01-05 10:00 IST. */
export const MANUAL_CLOCK_DEFAULT_START = '2026-01-05T10:00:00+05:30';

/**
 * Creates a {@link ManualClock}.
 *
 * @param start initial instant (see {@link InstantInput}). Default
 *   {@link MANUAL_CLOCK_DEFAULT_START} (2026-01-05T10:00:00+05:30).
 * @throws InputError (`HFT_INPUT_INVALID`, argument `start`) when `start` is invalid.
 */
export function createManualClock(start: InstantInput = MANUAL_CLOCK_DEFAULT_START): ManualClock {
  let current = toEpochMs(start, 'start');
  return {
    now: () => current,
    set(to: InstantInput): void {
      current = toEpochMs(to, 'to');
    },
    advance(ms: number): void {
      assertFiniteNumber(ms, 'ms', { min: 0 });
      current = toEpochMs(current + ms, 'ms');
    },
  };
}
